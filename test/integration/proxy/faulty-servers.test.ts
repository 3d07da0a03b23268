// Proxied servers that are broken from the start: a command that does not exist, one that exits at
// once, one that writes garbage to stdout, one that never answers initialize. The editor's requests
// are still answered — by the working server beside it, or null — within a bound; the user gets one
// clear message naming the server and what went wrong, not a stream of them; nothing is left running.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { fakeServer } from "../../support/language-servers.ts";
import { LspTestClient, parseFrames } from "../../support/lsp-client.ts";

const START_TIMEOUT_MS = 2_000;
/** What a request may take on a loaded machine and still count as answered in time. */
const BOUND_MS = 8_000;

let client: LspTestClient | undefined;
afterEach(() => client?.kill());

const faults: Record<string, { command: string[]; message: RegExp }> = {
  "a command that does not exist": {
    command: ["/nonexistent/opencode-lsp-test-server", "--stdio"],
    message: /^opencode-lsp: could not start broken \(\/nonexistent\/opencode-lsp-test-server --stdio\): spawn \/nonexistent\/opencode-lsp-test-server ENOENT; not using it\.$/,
  },
  "a server that exits at once": {
    command: fakeServer("--exit=3", "--stderr=fatal: no project here"),
    message: /^opencode-lsp: broken exited during start-up \(exit code 3\) \(stderr: fatal: no project here\); not using it\.$/,
  },
  "a server that writes only garbage to stdout": {
    command: fakeServer("--garbage-only"),
    message: /^opencode-lsp: broken did not answer initialize within 2 s; it wrote \d+ bytes to stdout that are not LSP frames; not using it\.$/,
  },
  "a server that hangs on initialize": {
    command: fakeServer("--hang"),
    message: /^opencode-lsp: broken did not answer initialize within 2 s; not using it\.$/,
  },
};

async function start(broken: string[]) {
  const root = mkdtempSync(join(tmpdir(), "proxy-faults-"));
  writeFileSync(join(root, "a.ts"), "const a = 1;\n");
  writeFileSync(join(root, "b.py"), "b = 1\n");
  client = new LspTestClient({ cwd: root });
  const proxy = {
    broken: { command: broken, filetypes: ["typescript", "python"], startTimeoutMs: START_TIMEOUT_MS },
    good: { command: fakeServer(), filetypes: ["typescript"] },
  };
  const started = performance.now();
  await client.initialize({ rootUri: pathToFileURL(root).href, initializationOptions: { proxy } });
  const initializeMs = performance.now() - started;
  const ts = pathToFileURL(join(root, "a.ts")).href;
  const py = pathToFileURL(join(root, "b.py")).href;
  await client.notify("textDocument/didOpen", { textDocument: { uri: ts, languageId: "typescript", version: 1, text: "const a = 1;\n" } });
  await client.notify("textDocument/didOpen", { textDocument: { uri: py, languageId: "python", version: 1, text: "b = 1\n" } });
  return { client, ts, py, initializeMs };
}

/** A request's answer and how long it took. */
async function timed<T>(request: Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await request;
  return { answer, ms: performance.now() - started };
}

const at = (uri: string) => ({ textDocument: { uri }, position: { line: 0, character: 6 } });
const messagesAbout = (c: LspTestClient, name: string) => c.notifications.filter((n) => n.method === "window/showMessage" && n.params.message.includes(name));

describe("broken proxied servers", () => {
  for (const [fault, { command, message }] of Object.entries(faults)) {
    it(`${fault}: requests answered by the others or null, one clear message`, async () => {
      const { client, ts, py, initializeMs } = await start(command);
      expect(initializeMs).toBeLessThan(START_TIMEOUT_MS + BOUND_MS);

      const hover = await timed(client.request("textDocument/hover", at(ts)));
      expect(hover.answer).toEqual({ contents: `line 0 of ${ts} (v 1)` }); // the working server
      expect(hover.ms).toBeLessThan(BOUND_MS);
      const definition = await timed(client.request("textDocument/definition", at(ts)));
      expect(definition.answer).toMatchObject({ uri: ts });
      const python = await timed(client.request("textDocument/hover", at(py)));
      expect(python.answer).toBeNull(); // only the broken server takes python
      expect(python.ms).toBeLessThan(BOUND_MS);

      await new Promise((r) => setTimeout(r, 1_500)); // time for a second message, if one were coming
      const messages = messagesAbout(client, "broken");
      expect(messages.map((m) => m.params.message)).toHaveLength(1);
      expect(messages[0]!.params.message).toMatch(message);
      expect(messages[0]!.params.type).toBe(1); // Error

      const health = await client.request("opencode/health");
      expect(health.proxies.map((p: any) => [p.name, p.state])).toEqual([["broken", "failed"], ["good", "running"]]);
      expect(() => parseFrames(client.stdout)).not.toThrow();
      expect(await client.shutdownAndExit()).toBe(0);
    });
  }

  it("a server that prints a banner on stdout before its frames still works, without a message", async () => {
    const { client, ts } = await start(fakeServer("--banner"));
    const health = await client.request("opencode/health");
    expect(health.proxies.map((p: any) => p.state)).toEqual(["running", "running"]);
    expect(await client.request("textDocument/hover", at(ts))).toEqual({ contents: `line 0 of ${ts} (v 1)` });
    expect(messagesAbout(client, "broken")).toEqual([]);
    expect(client.stderr).toMatch(/proxied server wrote a bad frame: dropped \d+ bytes/);
  });
});

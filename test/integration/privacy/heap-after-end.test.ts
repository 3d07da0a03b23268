// After `opencode.session.end`, a heap snapshot of the server (taken with --heapsnapshot-signal, which
// collects garbage first) holds none of the prompt's text: the session, its transcript, its requests
// and anything cached from them are gone.
// (Between turns the transcript is sealed with a per-session key; `end` erases the key, the sealed
// bytes, the idle timer and the session's title.)
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { LspTestClient, SERVER_BIN } from "../../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let provider: ScriptedProvider | undefined;
let client: LspTestClient | undefined;
const scratch: string[] = [];
afterEach(async () => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true }); // snapshots are ~15 MB each
  client?.kill();
  client = undefined;
  await provider?.close();
  provider = undefined;
});

async function snapshot(client: LspTestClient, dir: string): Promise<Buffer> {
  const before = new Set(readdirSync(dir));
  client.child.kill("SIGUSR2");
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const file = readdirSync(dir).find((f) => f.endsWith(".heapsnapshot") && !before.has(f));
    if (file) {
      // Written in one go; wait until it parses as complete JSON-ish (ends with "]}")
      const path = join(dir, file);
      const text = readFileSync(path);
      if (text.length > 0 && text.subarray(-2).toString() === "]}") return text;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no heap snapshot written");
}

describe("heap after session end", () => {
  it("holds no prompt text once the session ended", async () => {
    const marker = `ZQXMARK${randomBytes(10).toString("hex").toUpperCase()}`;
    provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "Understood." }] });
    const root = mkdtempSync(join(tmpdir(), "heap-ws-"));
    writeFileSync(join(root, "a.ts"), "export const a = 1;\n");
    const snaps = mkdtempSync(join(tmpdir(), "heap-snaps-"));
    scratch.push(snaps);
    client = new LspTestClient({ cwd: snaps, args: ["--stdio"], env: { NODE_OPTIONS: "--heapsnapshot-signal=SIGUSR2" } });
    await client.initialize({
      rootUri: pathToFileURL(root).href,
      initializationOptions: { model: "scripted/test-model", providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } } },
    });
    const answer = await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: `remember the code word ${marker}` }] });
    expect(answer.text).toBe("Understood.");
    expect(JSON.stringify(provider.requests[0]!.body)).toContain(marker);
    const during = await snapshot(client, snaps);
    expect(during.includes(marker)).toBe(true); // control: the live session holds it

    await client.request("workspace/executeCommand", { command: "opencode.session.end", arguments: [{ sessionId: answer.sessionId }] });
    const after = await snapshot(client, snaps);
    expect(after.includes(marker)).toBe(false);
    expect(existsSync(SERVER_BIN)).toBe(true);
  }, 60_000);
});

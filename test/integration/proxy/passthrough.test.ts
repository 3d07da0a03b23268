// Requests one proxied server owns pass through as bytes: the editor gets the very bytes the server
// wrote (only the id is its own again), after the document changes sent before the request, with
// ids that never mix up under concurrency, `$/cancelRequest` followed, null when the server dies
// meanwhile, latency still counted. Where two servers share the answer, it is merged as before.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CancellationTokenSource } from "vscode-jsonrpc/node";
import { afterEach, describe, expect, it } from "vitest";
import { fakeServer } from "../../support/language-servers.ts";
import { frame, LspTestClient } from "../../support/lsp-client.ts";

let client: LspTestClient | undefined;
afterEach(() => client?.kill());

async function start(proxy: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const root = mkdtempSync(join(tmpdir(), "passthrough-"));
  writeFileSync(join(root, "a.ts"), "const a = 1;\n");
  client = new LspTestClient({ cwd: root, env });
  await client.initialize({ rootUri: pathToFileURL(root).href, initializationOptions: { proxy } });
  const uri = pathToFileURL(join(root, "a.ts")).href;
  await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text: "const a = 1;\n" } });
  return { client, uri };
}

const hoverAt = (uri: string, line: number) => ({ textDocument: { uri }, position: { line, character: 0 } });
const rawRequest = (id: string, method: string, params: unknown) => frame({ jsonrpc: "2.0", id, method, params });

describe("passing answers through as bytes", () => {
  it("gives the editor the server's own bytes, its id put back", async () => {
    const { client, uri } = await start({ fake: { command: fakeServer(), filetypes: ["typescript"] } }, { OPENCODE_LSP_LOG_LEVEL: "trace" });
    client.writeRaw(rawRequest("raw-7", "textDocument/hover", hoverAt(uri, 3)));
    await client.waitForRaw((m) => m.id === "raw-7");
    // The fake writes its own spacing and key order, id last: a parse and re-serialize would change it.
    const body = `{ "result" : { "contents" : "line 3 of ${uri} (v 1)" } , "jsonrpc" : "2.0" , "id" : "raw-7" }`;
    expect(client.stdout.toString("utf8")).toContain(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    expect(client.stderr).toMatch(/"out":\{"id":"raw-7"\},"bytes":\d+,"passedThrough":true/);
  });

  it("sends a request after the document changes that came before it", async () => {
    const { client, uri } = await start({ fake: { command: fakeServer(), filetypes: ["typescript"] } });
    expect(await client.request("textDocument/hover", hoverAt(uri, 0))).toEqual({ contents: `line 0 of ${uri} (v 1)` }); // open in the server: hovers pass through
    // The change and the hover in one write: the passed-through hover must not overtake the change.
    const change = frame({ jsonrpc: "2.0", method: "textDocument/didChange", params: { textDocument: { uri, version: 2 }, contentChanges: [{ text: "const b = 2;\n" }] } });
    client.writeRaw(Buffer.concat([change, rawRequest("after-change", "textDocument/hover", hoverAt(uri, 0))]));
    const answer = await client.waitForRaw((m) => m.id === "after-change");
    expect(answer.result).toEqual({ contents: `line 0 of ${uri} (v 2)` });
  });

  it("keeps ids apart: many requests at once, beside the server's own request and routed ones", async () => {
    const { client, uri } = await start({ fake: { command: fakeServer(), filetypes: ["typescript"] } });
    const hovers = Array.from({ length: 40 }, (_, line) => client.request("textDocument/hover", hoverAt(uri, line)));
    const symbols = client.request("workspace/symbol", { query: "x" }); // merged: the routed path
    const command = client.request("workspace/executeCommand", { command: "fake.echo", arguments: [1] });
    const answers = await Promise.all(hovers);
    answers.forEach((answer, line) => expect(answer).toEqual({ contents: `line ${line} of ${uri} (v 1)` }));
    expect(await symbols).toEqual([expect.objectContaining({ name: "fakeSymbol" })]);
    expect(await command).toEqual({ echoed: [1] });
    // The fake asked us workspace/configuration (numeric id 1) while the hovers were out; it was answered.
    const health = await client.request("opencode/health");
    expect(health.requests.byMethod["textDocument/hover"].count).toBe(40);
  });

  it("forwards $/cancelRequest to the server and passes its RequestCancelled on", async () => {
    const { client, uri } = await start({ fake: { command: fakeServer("--cancel-line=9"), filetypes: ["typescript"] } });
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest("textDocument/hover", hoverAt(uri, 9), source.token);
    await new Promise((r) => setTimeout(r, 200));
    source.cancel();
    await expect(pending).rejects.toMatchObject({ code: -32800 });
  });

  it("answers null when the server dies with the request out, and carries on after its restart", async () => {
    const { client, uri } = await start({ fake: { command: fakeServer("--crash-line=8"), filetypes: ["typescript"] } });
    expect(await client.request("textDocument/hover", hoverAt(uri, 8))).toBeNull();
    await expect
      .poll(async () => (await client.request("opencode/health")).proxies[0], { timeout: 10_000 })
      .toMatchObject({ state: "running", restarts: 1 });
    expect(await client.request("textDocument/hover", hoverAt(uri, 2))).toEqual({ contents: `line 2 of ${uri} (v 1)` });
  });

  it("merges what two servers answer together, as before", async () => {
    const { client, uri } = await start({ one: { command: fakeServer(), filetypes: ["typescript"] }, two: { command: fakeServer(), filetypes: ["typescript"] } });
    const list = await client.request("textDocument/completion", { textDocument: { uri }, position: { line: 1, character: 0 } });
    expect(list.items.map((i: any) => [i.label, i.data.$opencodeProxy])).toEqual([
      ["item0", "one"],
      ["item1", "one"],
      ["item0", "two"],
      ["item1", "two"],
    ]);
  });
});

// Fronting a real typescript-language-server: merged capabilities, answers equal to the direct
// ones, diagnostics republished, crash → restart → re-sync, nothing left behind.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { directClient, jsonProxy, typescriptProxy } from "../../support/language-servers.ts";
import { LspTestClient } from "../../support/lsp-client.ts";

const SOURCE = `export function greet(name: string): string {
  return "hello " + name;
}
const count: number = "three";
greet("x").toUpperCase();
`;

let root: string;
let uri: string;
let client: LspTestClient | undefined;
const cleanup: (() => void)[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "proxy-ts-"));
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022" } }));
  writeFileSync(join(root, "a.ts"), SOURCE);
  uri = pathToFileURL(join(root, "a.ts")).href;
});
afterEach(() => {
  client?.kill();
  for (const f of cleanup.splice(0)) f();
});

const capabilities = { textDocument: { hover: { contentFormat: ["markdown", "plaintext"] }, completion: { completionItem: { snippetSupport: true } }, publishDiagnostics: {} } };

async function startProxied(proxy: Record<string, unknown> = { typescript: typescriptProxy }) {
  client = new LspTestClient({ cwd: root });
  const result = await client.initialize({ rootUri: pathToFileURL(root).href, workspaceFolders: [{ uri: pathToFileURL(root).href, name: "ws" }], capabilities, initializationOptions: { proxy } });
  await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text: SOURCE } });
  return { client, result };
}

const diagnosticsFor = (c: LspTestClient) => c.waitForNotification("textDocument/publishDiagnostics", (p) => p.uri === uri && p.diagnostics.length > 0, 20_000);

describe("proxying typescript-language-server", () => {
  it("merges its capabilities into ours", async () => {
    const { result } = await startProxied();
    const caps = result.capabilities;
    expect(caps.textDocumentSync).toEqual({ openClose: true, change: 2 });
    expect(caps.hoverProvider).toBeTruthy();
    expect(caps.definitionProvider).toBeTruthy();
    expect(caps.completionProvider.triggerCharacters).toContain(".");
    expect(caps.experimental.opencode).toBeDefined();
  });

  it("republishes its diagnostics", async () => {
    const { client } = await startProxied();
    const published = await diagnosticsFor(client);
    expect(published.diagnostics.map((d: any) => d.code)).toContain(2322);
  });

  it("answers hover, definition and completion exactly as the server does directly", async () => {
    const { client } = await startProxied();
    await diagnosticsFor(client); // the project is loaded
    const direct = await directClient(typescriptProxy.command, root, typescriptProxy.initializationOptions);
    cleanup.push(direct.close);
    await direct.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text: SOURCE } });
    await direct.diagnostics(uri); // loaded too

    const at = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
    const hover = await client.request("textDocument/hover", at(4, 1));
    expect(hover.contents.value).toContain("greet(name: string): string");
    expect(hover).toEqual(await direct.connection.sendRequest("textDocument/hover", at(4, 1)));

    const definition = await client.request("textDocument/definition", at(4, 1));
    expect(definition).toEqual(await direct.connection.sendRequest("textDocument/definition", at(4, 1)));

    const completion = await client.request("textDocument/completion", at(4, 11));
    const directCompletion: any = await direct.connection.sendRequest("textDocument/completion", at(4, 11));
    const labels = (list: any) => (Array.isArray(list) ? list : list.items).map((i: any) => i.label).sort();
    expect(labels(completion)).toEqual(labels(directCompletion));
    expect(labels(completion)).toContain("toUpperCase");

    // A resolve goes back to the server that made the item.
    const item = completion.items.find((i: any) => i.label === "toUpperCase");
    const resolved = await client.request("completionItem/resolve", item);
    expect(resolved.detail ?? resolved.documentation).toBeTruthy();
  }, 40_000);

  it("restarts a server killed with -9, re-syncs it, and the editor connection carries on", async () => {
    const { client } = await startProxied();
    await diagnosticsFor(client);
    const before = (await client.request("opencode/health")).proxies[0];
    expect(before.state).toBe("running");
    process.kill(before.pid, "SIGKILL");
    client.notifications.length = 0;
    // Diagnostics are cleared, then come back from the restarted server.
    const again = await diagnosticsFor(client);
    expect(again.diagnostics.map((d: any) => d.code)).toContain(2322);
    const after = (await client.request("opencode/health")).proxies[0];
    expect(after.restarts).toBe(1);
    expect(after.pid).not.toBe(before.pid);
    const hover = await client.request("textDocument/hover", { textDocument: { uri }, position: { line: 4, character: 1 } });
    expect(hover.contents.value).toContain("greet");
  }, 40_000);

  it("leaves no process behind after shutdown and exit", async () => {
    const { client } = await startProxied();
    const { pid } = (await client.request("opencode/health")).proxies[0];
    expect(await client.shutdownAndExit()).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it("leaves no process behind when the editor dies", async () => {
    const { client } = await startProxied();
    const { pid } = (await client.request("opencode/health")).proxies[0];
    client.child.kill("SIGKILL");
    await client.exited;
    await expect.poll(() => { try { process.kill(pid, 0); return "alive"; } catch { return "gone"; } }, { timeout: 10_000 }).toBe("gone");
  }, 20_000);

  it("merges two servers on one filetype: both are initialized and their capabilities united", async () => {
    const { client, result } = await startProxied({ typescript: typescriptProxy, json: jsonProxy });
    const health = await client.request("opencode/health");
    expect(health.proxies.map((p: any) => [p.name, p.state])).toEqual([["typescript", "running"], ["json", "running"]]);
    expect(result.capabilities.documentSymbolProvider).toBeTruthy();
    // The first non-null answer wins for hover (typescript has one).
    const hover = await client.request("textDocument/hover", { textDocument: { uri }, position: { line: 4, character: 1 } });
    expect(hover.contents.value).toContain("greet");
  }, 30_000);
});

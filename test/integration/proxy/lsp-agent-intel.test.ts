// The agent behind the LSP front reads the same typescript-language-server the editor is fronted
// with: its session runs in a worker, its LSP tools and post-edit diagnostics cross to the main
// thread. An edit of a buffer the editor has open goes through workspace/applyEdit and comes back as
// didChange before its diagnostics count; a file the editor never opened is opened by the agent.
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { typescriptProxy } from "../../support/language-servers.ts";
import { LspTestClient } from "../../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "../../support/providers/scripted-server.ts";

const MATH = `export function total(prices: number[]): number {
  return prices.reduce((sum, p) => sum + p, 0);
}
`;
const MAIN = `import { total } from "./math";
const sum: number = total([1, 2, 3]);
console.log(sum);
`;

let client: LspTestClient | undefined;
let provider: ScriptedProvider | undefined;
afterEach(async () => {
  client?.kill();
  await provider?.close();
  client = undefined;
  provider = undefined;
});

const TURNS: ScriptedTurn[] = [
  // The open buffer: its edit goes through the editor.
  { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "main.ts", oldString: "const sum: number", newString: "const sum: string" } }] },
  // A file the editor never opened.
  { toolCalls: [{ id: "c2", name: "edit", arguments: { path: "math.ts", oldString: "number[]): number {", newString: "number[]): string {" } }] },
  { toolCalls: [{ id: "c3", name: "hover", arguments: { path: "main.ts", line: 2, symbol: "total" } }] },
  { toolCalls: [{ id: "c4", name: "diagnostics", arguments: {} }] },
  { text: "Done." },
];

describe("the agent's LSP tools in the editor", () => {
  it("edit results and tools see the editor's proxied server, for open buffers and unopened files", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: TURNS });
    const root = realpathSync(mkdtempSync(join(tmpdir(), "lsp-intel-")));
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module: "esnext", moduleResolution: "bundler" } }));
    writeFileSync(join(root, "math.ts"), MATH);
    writeFileSync(join(root, "main.ts"), MAIN);
    client = new LspTestClient({ cwd: root });
    await client.initialize({
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: "ws" }],
      capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } }, textDocument: { publishDiagnostics: {}, hover: { contentFormat: ["markdown", "plaintext"] } } },
      initializationOptions: {
        model: "scripted/test-model",
        providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } },
        permissions: { edit: "allow" },
        proxy: { typescript: typescriptProxy },
      },
    });
    const mainUri = pathToFileURL(join(root, "main.ts")).href;
    await client.openBuffer(mainUri, "typescript", MAIN);

    const { sessionId } = await client.request("opencode/session/new", { title: "types" });
    const result = await client.request("opencode/session/prompt", { sessionId, prompt: "make sum a string" });
    expect(result).toEqual({ stopReason: "end_turn" });
    const messages = (i: number) => JSON.stringify(provider!.requests[i]!.body.messages);

    // The open buffer was edited by the editor, and its diagnostics waited for that text.
    expect(client.text(mainUri)).toContain("const sum: string");
    expect(readFileSync(join(root, "main.ts"), "utf8")).toBe(MAIN);
    expect(messages(1)).toMatch(/main\.ts:2:7 error \[typescript 2322\] Type 'number' is not assignable to type 'string'\./);
    // The unopened file: opened by the agent in the same server; its edit fixed main.ts and broke math.ts.
    expect(messages(2)).toMatch(/math\.ts:2:3 error \[typescript 2322\] Type 'number' is not assignable to type 'string'\./);
    expect(messages(3)).toContain("total(prices: number[]): string");
    expect(messages(4)).toContain("main.ts: no errors or warnings from typescript");
    expect(messages(4)).toMatch(/math\.ts \(typescript\):\\nmath\.ts:2:3 error/);
    // The editor was shown the same server's diagnostics for its buffer.
    const published = client.notifications.filter((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === mainUri);
    expect(published.some((n) => n.params.diagnostics.some((d: any) => d.code === 2322))).toBe(true);
  }, 60_000);
});

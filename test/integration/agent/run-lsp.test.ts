// `opencode-lsp run` with a typescript-language-server configured under `proxy`: the built binary
// starts it when the agent first edits a .ts file, the edit's result carries the type error it
// introduced, the diagnostics tool finds the error it caused in another file, the agent fixes it,
// and no language server process is left once run exits.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/agent-workspace.ts";
import { typescriptProxy } from "../../support/language-servers.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "../../support/providers/scripted-server.ts";

const MATH = `export function total(prices: number[]): number {
  return prices.reduce((sum, p) => sum + p, 0);
}
`;
const MAIN = `import { total } from "./math";
const sum: number = total([1, 2, 3]);
console.log(sum);
`;

let provider: ScriptedProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

function workspace(provider: ScriptedProvider, proxy: Record<string, unknown> = { typescript: typescriptProxy }): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "run-lsp-")));
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module: "esnext", moduleResolution: "bundler" } }));
  writeFileSync(join(root, "math.ts"), MATH);
  writeFileSync(join(root, "main.ts"), MAIN);
  writeFileSync(
    join(root, "opencode.json"),
    JSON.stringify({ model: "scripted/openai-model", providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } }, proxy }, null, 2),
  );
  return root;
}

/** Live processes whose working directory is `dir` (a language server and its children run there). */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) found.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").slice(0, 120)}`);
    } catch {
      // gone, or not ours to look at
    }
  }
  return found;
}

const messagesOf = (i: number) => JSON.stringify(provider!.requests[i]!.body.messages);

const SCENARIO: ScriptedTurn[] = [
  { text: "Making total return a string.", toolCalls: [{ id: "call_1", name: "edit", arguments: { path: "math.ts", oldString: "number[]): number {", newString: "number[]): string {" } }] },
  { toolCalls: [{ id: "call_2", name: "diagnostics", arguments: { paths: ["main.ts"] } }] },
  { text: "That breaks callers; reverting.", toolCalls: [{ id: "call_3", name: "edit", arguments: { path: "math.ts", oldString: "number[]): string {", newString: "number[]): number {" } }] },
  { toolCalls: [{ id: "call_4", name: "diagnostics", arguments: {} }] },
  { text: "total is back to returning a number; no type errors." },
];

describe("run with a proxied typescript-language-server", () => {
  it("edit introduces a type error → the edit result and the diagnostics tool report it → the agent fixes it", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: SCENARIO });
    const root = workspace(provider);
    const result = await runCli(["run", "--yes", "make total return a string"], root);

    expect(result.stderr).not.toMatch(/opencode-lsp: /);
    expect(result.code).toBe(0);
    expect(provider.requests).toHaveLength(5);
    // The model is offered the LSP tools.
    const tools = JSON.stringify(provider.requests[0]!.body.tools);
    for (const tool of ["diagnostics", "definition", "references", "hover", "symbols"]) expect(tools).toContain(`"${tool}"`);

    // The edit's own result: the error it introduced in math.ts.
    const afterEdit = messagesOf(1);
    expect(afterEdit).toContain("Diagnostics after this edit:");
    expect(afterEdit).toMatch(/math\.ts:2:3 error \[typescript 2322\] Type 'number' is not assignable to type 'string'\./);
    // The diagnostics tool: the error it caused in main.ts, a file no one opened.
    expect(messagesOf(2)).toMatch(/main\.ts:2:7 error \[typescript 2322\] Type 'string' is not assignable to type 'number'\./);
    // The fix: clean again, in the edit result and for the files the session touched.
    expect(messagesOf(3)).toMatch(/Diagnostics after this edit:\\nmath\.ts: no errors or warnings from typescript/);
    expect(messagesOf(4)).toContain("math.ts: no errors or warnings from typescript");

    expect(readFileSync(join(root, "math.ts"), "utf8")).toBe(MATH);
    expect(result.stdout).toContain("no type errors");
    // Nothing of the language server outlives the run.
    await expect.poll(() => processesIn(root), { timeout: 3_000 }).toEqual([]);
  }, 60_000);

  it("starts no language server when the agent never touches a file of its filetypes", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [{ toolCalls: [{ id: "c1", name: "read", arguments: { path: "tsconfig.json" } }] }, { text: "done" }] });
    const root = workspace(provider, { typescript: { ...typescriptProxy, command: ["/nonexistent/language-server"] } });
    const result = await runCli(["run", "--yes", "look"], root);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/could not start/);
    expect(processesIn(root)).toEqual([]);
  }, 30_000);

  it("a server that cannot start is reported, and the edit still succeeds", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [SCENARIO[0]!, { text: "done" }] });
    const root = workspace(provider, { typescript: { ...typescriptProxy, command: ["/nonexistent/language-server"] } });
    const result = await runCli(["run", "--yes", "edit"], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/opencode-lsp: could not start typescript/);
    expect(readFileSync(join(root, "math.ts"), "utf8")).toContain("number[]): string {");
    expect(messagesOf(1)).not.toContain("Diagnostics after this edit");
  }, 30_000);
});

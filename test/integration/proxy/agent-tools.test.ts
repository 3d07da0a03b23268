// The agent's LSP tools over a real typescript-language-server, started the way `opencode-lsp run`
// starts it (headless, lazily): definition, references, hover, symbols, the diagnostics tool on a
// file no editor opened, and fresh diagnostics appended to edit results.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../../server/log.ts";
import { createHeadlessProxies } from "../../../server/proxy/headless.ts";
import { ProxyIntel } from "../../../server/proxy/intel.ts";
import type { ProxyManager } from "../../../server/proxy/manager.ts";
import { builtinTools, createToolContext, ToolRegistry, type ToolContext } from "../../../server/tools/index.ts";
import { toLspPosition } from "../../../server/tools/lsp-format.ts";
import { typescriptProxy } from "../../support/language-servers.ts";

const A = `export function greet(name: string): string {
  return "hello " + name;
}
export const answer = greet("world");
`;
const B = `import { greet } from "./a";
const count: number = "three";
console.log(greet("b"), count);
`;

let root: string;
let proxies: ProxyManager;
let intel: ProxyIntel;
let registry: ToolRegistry;
let ctx: ToolContext;

/** Processes whose working directory is the workspace (the server and its tsserver children). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // gone, or not ours to look at
    }
  }
  return pids;
}

/** Live (not zombie) processes of a process group. */
function liveInGroup(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z") pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "agent-tools-")));
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022", module: "esnext", moduleResolution: "bundler" } }));
  writeFileSync(join(root, "a.ts"), A);
  writeFileSync(join(root, "b.ts"), B);
  const log = silentLogger();
  proxies = createHeadlessProxies({ root, entries: { typescript: typescriptProxy }, log, notice: () => {} })!;
  intel = new ProxyIntel(() => proxies);
  registry = new ToolRegistry({ tools: builtinTools({ lsp: true }), config: { permissions: { edit: "allow", read: "allow", bash: "deny", webfetch: "deny" } } });
  ctx = createToolContext({ root, intel });
});

afterAll(async () => {
  intel?.dispose();
  await proxies?.shutdown();
});

const run = async (tool: string, input: unknown) => {
  const result = await registry.run(tool, input, ctx);
  return result;
};

describe("LSP tools over typescript-language-server", () => {
  it("is started lazily: nothing runs until a tool needs it", () => {
    expect(proxies.health()[0]).toMatchObject({ name: "typescript", state: "idle", pid: null });
    expect(processesIn(root)).toEqual([]);
  });

  it("definition: from a use in b.ts to the declaration in a.ts", async () => {
    const result = await run("definition", { path: "b.ts", line: 3, symbol: "greet" });
    expect(result.status).toBe("completed");
    expect(result.output).toContain("a.ts:1:17  export function greet(name: string): string {");
    expect(proxies.health()[0]!.state).toBe("running");
  }, 30_000);

  it("definition by column gives the same answer", async () => {
    const result = await run("definition", { path: "b.ts", line: 3, column: 14 });
    expect(result.output).toContain("a.ts:1:17");
  }, 30_000);

  it("references: declaration and uses across files", async () => {
    const result = await run("references", { path: "a.ts", line: 1, symbol: "greet" });
    expect(result.status).toBe("completed");
    for (const where of ["a.ts:1:17", "a.ts:4:23", "b.ts:1:10", "b.ts:3:13"]) expect(result.output).toContain(where);
    expect(result.output).toMatch(/references to `greet` in 2 files/);
  }, 30_000);

  it("hover: the signature", async () => {
    const result = await run("hover", { path: "b.ts", line: 3, symbol: "greet" });
    expect(result.status).toBe("completed");
    expect(result.output).toContain("greet(name: string): string");
  }, 30_000);

  it("symbols: a file's outline and a workspace search", async () => {
    const outline = await run("symbols", { path: "a.ts" });
    expect(outline.output).toMatch(/function greet .*line/);
    expect(outline.output).toMatch(/(constant|variable) answer/);
    const search = await run("symbols", { query: "greet", path: "b.ts" });
    expect(search.status).toBe("completed");
    expect(search.output).toMatch(/function greet — a\.ts:1:\d+/);
  }, 30_000);

  it("diagnostics: a type error in a file no editor opened, in the documented format", async () => {
    const result = await run("diagnostics", { paths: ["b.ts"] });
    expect(result.status).toBe("completed");
    expect(result.output).toContain("b.ts:2:7 error [typescript 2322] Type 'string' is not assignable to type 'number'.");
    expect(result.output).toContain("1 error, 0 warnings in 1 file.");
  }, 30_000);

  it("an edit's result carries the file's fresh diagnostics; the fix clears them", async () => {
    const broken = await run("edit", { path: "a.ts", oldString: 'greet("world")', newString: "greet(42)" });
    expect(broken.status).toBe("completed");
    expect(broken.output).toContain("Diagnostics after this edit:");
    expect(broken.output).toMatch(/a\.ts:4:29 error \[typescript 2345\] Argument of type 'number' is not assignable to parameter of type 'string'\./);
    expect(broken.metadata?.diagnostics).toMatchObject({ errors: 1, fresh: true });

    const fixed = await run("edit", { path: "a.ts", oldString: "greet(42)", newString: 'greet("world")' });
    expect(fixed.output).toMatch(/Diagnostics after this edit:\na\.ts: no errors or warnings from typescript/);
    expect(fixed.metadata?.diagnostics).toMatchObject({ errors: 0, fresh: true });

    // With no paths, the diagnostics tool checks the files this session edited.
    const touched = await run("diagnostics", {});
    expect(touched.output).toContain("a.ts: no errors or warnings from typescript");
  }, 30_000);

  it("a clean edit of a clean file does not wait out the whole timeout", async () => {
    const started = performance.now();
    const result = await run("edit", { path: "a.ts", oldString: '"hello "', newString: '"hi "' });
    expect(result.output).toContain("a.ts: no errors or warnings from typescript");
    expect(performance.now() - started).toBeLessThan(2_900);
  }, 30_000);

  it("a file no server takes gets no diagnostics section, and the tools say why", async () => {
    writeFileSync(join(root, "notes.txt"), "hello\n");
    const edited = await run("edit", { path: "notes.txt", oldString: "hello", newString: "bye" });
    expect(edited.status).toBe("completed");
    expect(edited.output).not.toContain("Diagnostics");
    const hover = await run("hover", { path: "notes.txt", line: 1, column: 1 });
    expect(hover.status).toBe("failed");
    expect(hover.output).toContain("No configured language server takes notes.txt");
  });

  it("bad positions are explained", async () => {
    expect((await run("hover", { path: "a.ts", line: 99, column: 1 })).output).toContain("line 99 is outside the file (it has 5 lines)");
    expect((await run("hover", { path: "a.ts", line: 1, symbol: "nope" })).output).toContain('"nope" does not occur on line 1');
    expect((await run("hover", { path: "a.ts", line: 1 })).output).toContain("give the column (1-based) or the symbol");
  });

  it("leaves no process behind after shutdown", async () => {
    const pid = proxies.health()[0]!.pid!;
    expect(processesIn(root).length).toBeGreaterThanOrEqual(2); // the server and tsserver
    await proxies.shutdown();
    await expect.poll(() => liveInGroup(pid), { timeout: 5_000 }).toEqual([]);
    await expect.poll(() => processesIn(root), { timeout: 5_000 }).toEqual([]);
  }, 30_000);
});

describe("positions", () => {
  it("1-based character columns become UTF-16 offsets (astral characters count once)", () => {
    const text = "const s = '😀😀'; foo();\n";
    expect(toLspPosition(text, 1, 17, undefined)).toEqual({ line: 0, character: 18 });
    expect(toLspPosition(text, 1, undefined, "foo")).toEqual({ line: 0, character: 18 });
    expect(toLspPosition("a\r\nb", 2, 1, undefined)).toEqual({ line: 1, character: 0 });
  });
});

// Tools: the grep tool over a generated 20k-file tree against running ripgrep directly on the same
// tree in the same run, and the dispatch overhead of a trivial tool call through the registry and
// the permission check.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { which } from "../server/sandbox/limits.ts";
import { grepTool } from "../server/tools/grep.ts";
import { ToolRegistry } from "../server/tools/registry.ts";
import { defineTool, ok, ToolSession, type ToolContext } from "../server/tools/types.ts";
import { DiskWorkspaceFiles } from "../server/tools/workspace-files.ts";
import type { BenchRow } from "./types.ts";

export const title = "tools: grep vs ripgrep, dispatch overhead";

const FILES = 20_000;
const PER_DIR = 100;
const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function makeTree(): string {
  const root = mkdtempSync(join(tmpdir(), "opencode-bench-tools-"));
  writeFileSync(join(root, ".gitignore"), "ignored/\n*.log\n");
  const body = Array.from({ length: 40 }, (_, i) => `export function fn${i}(value: number): number {\n  return value * ${i} + 1;\n}\n`).join("\n");
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `pkg${Math.floor(i / PER_DIR)}`, `sub${i % 4}`);
    if (i % PER_DIR < 4) mkdirSync(dir, { recursive: true });
    const needle = i % 50 === 0 ? `\n// TODO(needle): revisit file ${i}\n` : "";
    writeFileSync(join(dir, `file${i}.ts`), body + needle);
  }
  mkdirSync(join(root, "ignored"));
  for (let i = 0; i < 100; i++) writeFileSync(join(root, "ignored", `x${i}.ts`), "// TODO(needle) ignored\n");
  return root;
}

function runRipgrep(rg: string, root: string, pattern: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(rg, ["--line-number", "--no-heading", "--color=never", "--hidden", "--no-require-git", pattern, "."], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
    let lines = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++;
    });
    child.on("error", reject);
    child.on("close", () => resolve(lines));
  });
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const rg = which("rg");
  const root = makeTree();
  try {
    const files = new DiskWorkspaceFiles(root);
    const ctx = (): ToolContext => ({ root: files.root, files, signal: new AbortController().signal, session: new ToolSession("bench") });
    const pattern = "TODO\\(needle\\)";
    if (rg) {
      const registry = new ToolRegistry({ tools: [grepTool({ ripgrep: rg })], config: { permissions: { edit: "deny", bash: "deny", read: "allow", webfetch: "deny" } } });
      const direct: number[] = [];
      const tool: number[] = [];
      let directLines = 0;
      let toolMatches = 0;
      // One warm-up of each (page cache), then alternate rounds.
      await runRipgrep(rg, root, pattern);
      await registry.run("grep", { pattern }, ctx());
      for (let round = 0; round < ROUNDS; round++) {
        let t = performance.now();
        directLines = await runRipgrep(rg, root, pattern);
        direct.push(performance.now() - t);
        t = performance.now();
        const result = await registry.run("grep", { pattern, maxResults: 500 }, ctx());
        tool.push(performance.now() - t);
        toolMatches = Number(result.metadata?.matches ?? 0);
      }
      const d = median(direct);
      const g = median(tool);
      rows.push({ name: `ripgrep directly, ${FILES} files (${directLines} matches), median of ${ROUNDS}`, value: `${d.toFixed(1)} ms` });
      rows.push({ name: `grep tool via registry (ripgrep), same tree (${toolMatches} matches)`, value: `${g.toFixed(1)} ms` });
      rows.push({ name: "grep tool / ripgrep", value: `${(g / d).toFixed(2)}x` });
    } else {
      rows.push({ name: "ripgrep", value: "not on PATH: skipped" });
    }
    const registryJs = new ToolRegistry({ tools: [grepTool({ ripgrep: null })], config: { permissions: { edit: "deny", bash: "deny", read: "allow", webfetch: "deny" } } });
    const t = performance.now();
    const js = await registryJs.run("grep", { pattern }, ctx());
    rows.push({ name: `grep tool, JS fallback, one round (${String(js.metadata?.matches)} matches)`, value: `${(performance.now() - t).toFixed(1)} ms` });

    // Dispatch: validation + doom-loop guard + permission check + run + output cap of a no-op tool.
    const noop = defineTool({
      name: "noop",
      description: "does nothing",
      schema: z.object({ n: z.number() }),
      permissions: () => [{ kind: "read", subject: "x.ts" }],
      async run() {
        return ok("done");
      },
    });
    const registry = new ToolRegistry({ tools: [noop], config: { permissions: { edit: "ask", bash: "ask", read: "allow", webfetch: "ask" } } });
    const c = ctx();
    for (let i = 0; i < 2_000; i++) await registry.run("noop", { n: i }, c);
    const N = 20_000;
    const started = performance.now();
    for (let i = 0; i < N; i++) await registry.run("noop", { n: i }, c);
    const perCall = ((performance.now() - started) * 1000) / N;
    rows.push({ name: "tool dispatch (registry + validation + permission check), per call", value: `${perCall.toFixed(1)} µs`, target: "< 5 ms per agent step" });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

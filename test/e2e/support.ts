// Shared setup for the editor end-to-end tests: a TypeScript project with a type error, an
// opencode.json that fronts a real typescript-language-server and points the model at a scripted
// provider, and the built server's command line.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, SERVER_BIN } from "../support/lsp-client.ts";
import { typescriptProxy } from "../support/language-servers.ts";
import { afterEach, expect } from "vitest";
import { editorBin } from "./editors.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedProviderOptions, type ScriptedTurn } from "../support/providers/scripted-server.ts";

// What a test starts is stopped after it: scripted models closed, project folders removed.
const afterTest: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of afterTest.splice(0).reverse()) await undo();
});

/** A scripted model server for this test, closed after it. */
export async function scriptedProviderForTest(options: ScriptedProviderOptions): Promise<ScriptedProvider> {
  const provider = await startScriptedProvider(options);
  afterTest.push(() => provider.close());
  return provider;
}

/** A folder removed after this test. */
export function removeAfterTest(dir: string): string {
  afterTest.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const BROKEN = `export function total(prices: number[]): number {\n  let sum: number = "0";\n  for (const p of prices) sum += p;\n  return sum;\n}\n`;
export const FIXED = BROKEN.replace('let sum: number = "0";', "let sum: number = 0;");

/** The scripted model's fix: one edit, then a short answer. */
export const FIX_TURNS: ScriptedTurn[] = [
  { toolCalls: [{ id: "fix1", name: "edit", arguments: { path: "total.ts", oldString: 'let sum: number = "0";', newString: "let sum: number = 0;" } }] },
  { text: "Fixed: sum starts at the number 0." },
];

/** The command an editor runs to start opencode-lsp (the built bundle under this Node). */
export const SERVER_CMD = [process.execPath, SERVER_BIN, "--stdio"];

export function tsProject(provider: ScriptedProvider, extra: Record<string, unknown> = {}): { root: string; file: string } {
  const root = mkdtempSync(join(tmpdir(), "ocl-e2e-"));
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022" } }));
  writeFileSync(join(root, "total.ts"), BROKEN);
  writeFileSync(
    join(root, "opencode.json"),
    JSON.stringify(
      {
        model: "scripted/e2e-model",
        providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } },
        permissions: { edit: "ask" },
        proxy: { typescript: typescriptProxy },
        ...extra,
      },
      null,
      2,
    ),
  );
  return { root, file: join(root, "total.ts") };
}

export interface EditorRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs an editor without blocking this process: the scripted provider answers from it, so a
 * synchronous spawn would deadlock the test.
 */
export function runEditor(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, ms = 120_000): Promise<EditorRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The JSON an editor's script wrote to `file`; when it wrote none, an error with the editor's output. */
export function editorResult(file: string, editor: string, run: EditorRun): any {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new Error(`${editor} wrote no result (exit ${run.status}):\n${run.stderr}\n${run.stdout}`);
  }
}

export const OPENCODE_EL = join(REPO_ROOT, "clients", "emacs", "opencode.el");

/** Byte-compiles a copy of clients/emacs/opencode.el into ROOT/.lisp (no .elc in the repository); any warning fails. Returns that folder. */
export async function compileOpencodeEl(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  const lisp = join(root, ".lisp");
  mkdirSync(lisp);
  copyFileSync(OPENCODE_EL, join(lisp, "opencode.el"));
  const compile = await runEditor(editorBin("emacs"), ["--batch", "-Q", "-L", lisp, "--eval", "(setq byte-compile-error-on-warn t)", "-f", "batch-byte-compile", join(lisp, "opencode.el")], { cwd: root, env });
  expect(compile.stderr, "byte-compile output").not.toMatch(/Warning|Error/);
  expect(compile.status).toBe(0);
  return lisp;
}

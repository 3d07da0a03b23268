// A small project for agent scenarios, and helpers to run the built `opencode-lsp run` in it
// against a scripted provider (the same provider config a user would write, pointed at 127.0.0.1).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScriptProtocol, ScriptedProvider, ScriptedTurn } from "./providers/scripted-server.ts";
import { isolatedEnv, SERVER_BIN } from "./lsp-client.ts";

export const BUGGY_MATH = "export function add(a, b) {\n  return a - b;\n}\n";
export const MATH_TEST = `import { add } from "./math.js";\nif (add(2, 3) !== 5) {\n  console.error("FAIL: add(2, 3) returned " + add(2, 3));\n  process.exit(1);\n}\nconsole.log("ok");\n`;

/** A workspace with a buggy math.js, its test, and an opencode.json pointing `model` at the scripted server. */
export function mathWorkspace(provider: ScriptedProvider, protocol: ScriptProtocol): string {
  const root = mkdtempSync(join(tmpdir(), "agent-ws-"));
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(root, "math.js"), BUGGY_MATH);
  writeFileSync(join(root, "math.test.js"), MATH_TEST);
  writeFileSync(join(root, "opencode.json"), JSON.stringify({ model: `scripted/${protocol}-model`, providers: { scripted: { baseURL: provider.baseURLs[protocol], protocol, apiKey: "test-key" } } }, null, 2));
  return root;
}

/** The scripted model's side of: read, wrong fix, test fails, right fix, test passes, done. */
export const FIX_SCENARIO: ScriptedTurn[] = [
  { text: "Let me look at the code.", toolCalls: [{ id: "call_1", name: "read", arguments: { path: "math.js" } }] },
  { toolCalls: [{ id: "call_2", name: "edit", arguments: { path: "math.js", oldString: "return a - b;", newString: "return a * b;" } }] },
  { toolCalls: [{ id: "call_3", name: "bash", arguments: { command: "node math.test.js", description: "run the test" } }] },
  { text: "Still wrong; fixing the operator.", toolCalls: [{ id: "call_4", name: "edit", arguments: { path: "math.js", oldString: "return a * b;", newString: "return a + b;" } }] },
  { toolCalls: [{ id: "call_5", name: "bash", arguments: { command: "node math.test.js" } }] },
  { text: "Fixed add: it now adds.", usage: { input: 900, output: 12, cached: 300 } },
];

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SERVER_BIN, ...args], { cwd, env: { ...isolatedEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

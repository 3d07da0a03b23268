// Hostile input against the built server: a command the agent runs reads the server's own
// environment through /proc (the server's API keys must not be there, yet the server must still
// authenticate with them), and the trace log of a whole agent session holds no prompt text, file
// contents or API keys. Both in `opencode-lsp run` and in the LSP server (a session in a worker).
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect } from "vitest";
import { runCli } from "../support/agent-workspace.ts";
import { hostileSuite } from "../support/hostile.ts";
import { LspTestClient } from "../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "../support/providers/scripted-server.ts";

const KEY = "sk-plantedKEY0123456789abcdefghij";
const CONFIG_KEY = "cfg-planted-0123456789";
const PROMPT_MARK = "PROMPT-MARKER-7f3a9c";
const FILE_MARK = "FILE-CONTENT-MARKER-51d2e8";
const ANSWER_MARK = "ANSWER-MARKER-a1b2c3";

let provider: ScriptedProvider | undefined;
let client: LspTestClient | undefined;
afterEach(async () => {
  client?.kill();
  client = undefined;
  await provider?.close();
  provider = undefined;
});

// The bash command prints what /proc shows of the environment of its parent (the server) and of
// every process it can read, one variable a line; the tool result goes back to the model.
const SNOOP = "for f in /proc/$PPID/environ /proc/[0-9]*/environ; do cat $f 2>/dev/null | tr '\\0' '\\n'; done | grep -c plantedKEY; echo snooped";
const TURNS: ScriptedTurn[] = [
  { toolCalls: [{ id: "c1", name: "read", arguments: { path: "notes.txt" } }] },
  { toolCalls: [{ id: "c2", name: "bash", arguments: { command: SNOOP } }] },
  { toolCalls: [{ id: "c3", name: "edit", arguments: { path: "notes.txt", oldString: FILE_MARK, newString: `${FILE_MARK}-edited` } }] },
  { text: `Done. ${ANSWER_MARK}` },
];

function workspace(p: ScriptedProvider): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "hostile-server-")));
  writeFileSync(join(root, "notes.txt"), `first line\n${FILE_MARK}\n`);
  writeFileSync(
    join(root, "opencode.json"),
    JSON.stringify({ model: "scripted/openai-model", providers: { scripted: { baseURL: p.baseURLs.openai, protocol: "openai", apiKeyEnv: "SCRIPTED_API_KEY" } }, permissions: { edit: "allow", bash: "allow" } }),
  );
  return root;
}

/** The bash result the model got found no API key anywhere in /proc; yet every request carried it. */
function expectNothingSnooped(p: ScriptedProvider): void {
  const seen = p.requests.map((r) => JSON.stringify(r.body.messages)).find((m) => m.includes("snooped"));
  expect(seen, "the bash result reached the model").toBeDefined();
  expect(seen).toContain("0\\nsnooped");
  expect(seen).not.toContain(KEY);
  expect(p.requests.length).toBeGreaterThanOrEqual(4);
  for (const r of p.requests) expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
}

function expectCleanLog(log: string): void {
  expect(log.length, "the trace log has content").toBeGreaterThan(200);
  for (const mark of [PROMPT_MARK, FILE_MARK, ANSWER_MARK, KEY, CONFIG_KEY]) expect(log, mark).not.toContain(mark);
}

const hostile = hostileSuite("server: /proc environ, trace logs");

describe("opencode-lsp run", () => {
  let log = "";
  hostile("bash reads /proc/<server>/environ: no API key, and the server still authenticates", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: TURNS });
    const root = workspace(provider);
    const logFile = join(root, "..", `${root.split("/").pop()}.log`);
    const result = await runCli(["run", "--yes", "--log-level", "trace", "--log-file", logFile, `Please look at notes ${PROMPT_MARK}`], root, { SCRIPTED_API_KEY: KEY, OTHER_SERVICE_TOKEN: CONFIG_KEY });
    log = readFileSync(logFile, "utf8");
    expect(result.code, result.stderr).toBe(0);
    expectNothingSnooped(provider);
  }, 60_000);
  hostile("its trace log holds no prompt text, file contents or API keys", () => expectCleanLog(log));
});

describe("the LSP server", () => {
  let log = "";
  hostile("bash in a session worker reads /proc/<server>/environ: no API key, and the server still authenticates", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: TURNS });
    const root = workspace(provider);
    const logFile = join(root, "..", `${root.split("/").pop()}-lsp.log`);
    client = new LspTestClient({ cwd: root, args: ["--stdio", "--log-level", "trace", "--log-file", logFile], env: { SCRIPTED_API_KEY: KEY, OTHER_SERVICE_TOKEN: CONFIG_KEY } });
    await client.initialize({
      rootUri: pathToFileURL(root).href,
      capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
      initializationOptions: { providers: { other: { apiKey: CONFIG_KEY } } },
    });
    const uri = pathToFileURL(join(root, "notes.txt")).href;
    await client.openBuffer(uri, "plaintext", readFileSync(join(root, "notes.txt"), "utf8"));
    const { sessionId } = await client.request("opencode/session/new", { title: "snoop" });
    const answer = await client.request("opencode/session/prompt", { sessionId, prompt: `Please look at notes ${PROMPT_MARK}`, context: [{ uri }] });
    expect(await client.shutdownAndExit()).toBe(0);
    log = readFileSync(logFile, "utf8");
    expect(answer.stopReason).toBe("end_turn");
    expectNothingSnooped(provider);
  }, 60_000);
  hostile("its trace log holds no prompt text, file contents or API keys", () => expectCleanLog(log));
});

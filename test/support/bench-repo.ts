// A repository for `opencode-lsp bench` tests (test/fixtures/bench-repo, copied into a temp git work
// tree), and scripted models of known quality that answer its tasks by looking the held-out text up
// in the repository's files: exact, a near miss (the first letter's case flipped), garbage.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { languageOfPath } from "../../server/bench/languages.ts";
import { type RunResult, runCli } from "./agent-workspace.ts";
import { REPO_ROOT } from "./lsp-client.ts";
import { type RecordedRequest, type ScriptedProvider, type ScriptedTurn, startScriptedProvider } from "./providers/scripted-server.ts";

export const FIXTURE = join(REPO_ROOT, "test", "fixtures", "bench-repo");

/** Files no task may come from: ignored, untracked, vendored, minified, generated. */
export const NEVER_TASKS = ["dist/out.js", "secret.ts", "src/untracked.ts", "vendor/left-pad.js", "src/app.min.js", "src/api.ts"];

export function makeBenchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), "bench-repo-"));
  cpSync(FIXTURE, root, { recursive: true });
  writeFileSync(join(root, ".gitignore"), "dist/\nsecret.ts\n");
  mkdirSync(join(root, "dist"));
  writeFileSync(join(root, "dist", "out.js"), "export function built(value) {\n  const doubled = value * 2;\n  return doubled + 1;\n}\n");
  writeFileSync(join(root, "secret.ts"), "export function token(): string {\n  const value = process.env.TOKEN ?? 'none';\n  return value.trim();\n}\n");
  execFileSync("git", ["init", "-q"], { cwd: root });
  execFileSync("git", ["add", "-A"], { cwd: root });
  writeFileSync(join(root, "src", "untracked.ts"), "export function later(count: number): number {\n  const next = count + 1;\n  return next * 2;\n}\n");
  return root;
}

function filesOf(root: string, dir = root): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    if (name === ".git") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [k, v] of filesOf(root, path)) out.set(k, v);
    else out.set(relative(root, path), readFileSync(path, "utf8"));
  }
  return out;
}

export type Quality = "exact" | "near" | "garbage";

export interface OracleAnswer {
  kind: "fim" | "edit";
  /** The task's language id (bench's languages.ts). */
  language: string;
  gold: string;
  answer: string;
}

/** The user message of a chat request, whatever the wire format. */
function userText(body: any): string {
  const user = (body.messages ?? []).filter((m: any) => m.role === "user").at(-1);
  if (!user) return "";
  return typeof user.content === "string" ? user.content : user.content.map((b: any) => b.text ?? "").join("");
}

/** The held-out text for a prefix and suffix, found in the repository's files. */
function middleOf(files: Map<string, string>, prefix: string, suffix: string): { language: string; gold: string } | undefined {
  for (const [path, text] of files) {
    const at = text.indexOf(prefix);
    if (at < 0) continue;
    const start = at + prefix.length;
    const end = text.endsWith(suffix) && text.length - suffix.length >= start ? text.length - suffix.length : text.indexOf(suffix, start);
    if (end >= start) return { language: languageOfPath(path)!.id, gold: text.slice(start, end) };
  }
  return undefined;
}

/** The gold answer of a bench request: the middle (FIM, native or by prompt), or the renamed-back snippet (edit). */
export function goldOf(files: Map<string, string>, body: any): Omit<OracleAnswer, "answer"> | undefined {
  if (typeof body.prompt === "string") {
    const found = middleOf(files, body.prompt, body.suffix ?? "");
    return found && { kind: "fim", ...found };
  }
  const text = userText(body);
  const fim = /^File: .*\n```[^\n]*\n([\s\S]*)\n```$/.exec(text);
  if (fim) {
    const [prefix, suffix] = fim[1]!.split("<FILL_HERE>");
    const found = middleOf(files, prefix!, suffix ?? "");
    return found && { kind: "fim", ...found };
  }
  const edit = /^Rename `([^`]+)` to `([^`]+)` everywhere in this code\. Change nothing else\.\n\n```([^\n]*)\n([\s\S]*)\n```$/.exec(text);
  if (edit) return { kind: "edit", language: edit[3]!, gold: edit[4]!.replace(new RegExp(`(?<![\\w$])${edit[1]}(?![\\w$])`, "g"), edit[2]!) };
  return undefined;
}

/** The gold with the case of its first letter flipped: close, never exact. */
export function nearMiss(gold: string): string {
  const at = gold.search(/\p{L}/u);
  if (at < 0) return `${gold}x`;
  const c = gold[at]!;
  return gold.slice(0, at) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + gold.slice(at + 1);
}

export const GARBAGE = "lorem ipsum dolor sit amet";

/** A scripted model of known quality over this repository; `answers` records what it said to what. */
export function oracle(root: string, quality: Quality, extra: Partial<ScriptedTurn> = {}): { reply: (r: RecordedRequest) => ScriptedTurn; answers: OracleAnswer[] } {
  const files = filesOf(root);
  const answers: OracleAnswer[] = [];
  return {
    answers,
    reply(record) {
      const found = goldOf(files, record.body);
      if (!found) return { text: "?", ...extra };
      const answer = quality === "exact" ? found.gold : quality === "near" ? nearMiss(found.gold) : GARBAGE;
      answers.push({ ...found, answer });
      return { text: answer, ...extra };
    },
  };
}

export const MODELS = { exact: "ollama/qwen2.5-coder:1.5b", near: "near/coder", garbage: "claude/sonnet", broken: "broken/m" } as const;
export type Role = keyof typeof MODELS;

export const OLLAMA_PS = { models: [{ name: "qwen2.5-coder:1.5b", model: "qwen2.5-coder:1.5b", size: 1_987_654_321, size_vram: 1_234_567_890, digest: "abc", expires_at: "2026-01-01T00:05:00Z" }] };
export const VLLM_METRICS = '# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 5.24288e+08\nvllm:gpu_cache_usage_perc{model_name="coder"} 0.25\n';

export interface BenchModels {
  servers: Record<Role, ScriptedProvider>;
  answers: Record<Exclude<Role, "broken">, OracleAnswer[]>;
  close(): Promise<void>;
}

/**
 * The four scripted models, and opencode.json in root pointing at them: exact (Ollama, FIM on
 * /api/generate, /api/ps scripted), near miss (an OpenAI-compatible local server with FIM, $1/$2 per
 * million tokens, /metrics scripted), garbage after 300 ms (Anthropic, FIM by prompt), and one that
 * answers every request with a 500.
 */
export async function startBenchModels(root: string): Promise<BenchModels> {
  const exact = oracle(root, "exact", { usage: { input: 50, output: 5 }, chunkDelayMs: 2 });
  const near = oracle(root, "near", { usage: { input: 100, output: 10 } });
  const garbage = oracle(root, "garbage", { firstTokenDelayMs: 300 });
  const servers: Record<Role, ScriptedProvider> = {
    exact: await startScriptedProvider({ protocol: "ollama", reply: exact.reply, get: { "/api/ps": OLLAMA_PS } }),
    near: await startScriptedProvider({ protocol: "openai", reply: near.reply, get: { "/metrics": VLLM_METRICS } }),
    garbage: await startScriptedProvider({ protocol: "anthropic", reply: garbage.reply }),
    broken: await startScriptedProvider({ protocol: "openai", turns: [{ status: 500, errorMessage: "the model crashed" }] }),
  };
  const config = {
    providers: {
      ollama: { baseURL: servers.exact.baseURLs.ollama },
      near: { protocol: "openai", baseURL: servers.near.baseURLs.openai, apiKey: "k", models: { coder: { fim: true, price: { input: 1, output: 2 } } } },
      claude: { protocol: "anthropic", baseURL: servers.garbage.baseURLs.anthropic, apiKey: "k" },
      broken: { protocol: "openai", baseURL: servers.broken.baseURLs.openai, apiKey: "k" },
    },
  };
  writeFileSync(join(root, "opencode.json"), `// written by the bench test\n${JSON.stringify(config, null, 2)}\n`);
  return {
    servers,
    answers: { exact: exact.answers, near: near.answers, garbage: garbage.answers },
    close: async () => void (await Promise.all(Object.values(servers).map((s) => s.close()))),
  };
}

export interface BenchWorkspace {
  /** The repository (makeBenchRepo) with opencode.json pointing at the four models. */
  root: string;
  /** XDG_STATE_HOME for the runs. */
  state: string;
  models: BenchModels;
  /** `opencode-lsp bench ARGS` in `cwd` (default: the repository), with that state dir. */
  run(args: string[], cwd?: string): Promise<RunResult>;
}

/** For a test file: the repository and the four models, made before its tests and closed after. */
export function benchWorkspace(): BenchWorkspace {
  const ws = { run: (args: string[], cwd?: string) => runCli(["bench", ...args], cwd ?? ws.root, { XDG_STATE_HOME: ws.state }) } as BenchWorkspace;
  beforeAll(async () => {
    ws.root = makeBenchRepo();
    ws.state = `${ws.root}-state`;
    ws.models = await startBenchModels(ws.root);
  }, 30_000);
  afterAll(() => ws.models?.close());
  return ws;
}

// Agent (issue 4): the loop's own cost per tool step, with the model's time taken out, against the
// same tool calls run bare through the registry; and how soon `opencode-lsp run` reaches its first
// model request, against spawning `node -e 0`. Both measured in the same run, medians of
// alternating rounds.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ModelClient } from "../server/agent/model-client.ts";
import { runTurn } from "../server/agent/turn.ts";
import { createModelClient } from "../server/providers/index.ts";
import type { Message, StreamEvent } from "../server/providers/types.ts";
import { builtinTools, DiskWorkspaceFiles, ToolRegistry } from "../server/tools/index.ts";
import { ToolSession } from "../server/tools/types.ts";
import { mathWorkspace } from "../test/support/agent-workspace.ts";
import { isolatedEnv, SERVER_BIN } from "../test/support/lsp-client.ts";
import { startScriptedProvider, type ScriptedTurn } from "../test/support/providers/scripted-server.ts";
import { median } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "agent: overhead per tool step, `run` → first model request";

const STEPS = 50;
const FILES = 10;
const ROUNDS = 7;
const SPAWN_ROUNDS = 7;

/** A model client that adds up the time spent waiting on (and inside) the model's stream. */
function timed(inner: ModelClient): { client: ModelClient; modelMs: () => number; reset: () => void } {
  let modelMs = 0;
  const client: ModelClient = {
    stream(model, request) {
      return (async function* (): AsyncGenerator<StreamEvent> {
        let t = performance.now();
        const it = inner.stream(model, request)[Symbol.asyncIterator]();
        for (;;) {
          const r = await it.next();
          modelMs += performance.now() - t;
          if (r.done) return;
          yield r.value;
          t = performance.now();
        }
      })();
    },
  };
  return { client, modelMs: () => modelMs, reset: () => void (modelMs = 0) };
}

/** Calls that differ from one step to the next (the doom-loop guard asks on three equal calls in a row). */
function inputOf(step: number): { path: string; offset: number } {
  return { path: `src/f${step % FILES}.ts`, offset: 1 + (step % 7) };
}

async function overheadPerStep(rows: BenchRow[]): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "agent-bench-"));
  const provider = await startScriptedProvider({ protocol: "openai" });
  try {
    const body = Array.from({ length: 40 }, (_, i) => `export const v${i} = ${i};`).join("\n") + "\n";
    writeFileSync(join(root, "package.json"), "{}\n");
    mkdirSync(join(root, "src"));
    for (let i = 0; i < FILES; i++) writeFileSync(join(root, "src", `f${i}.ts`), body);

    const script: ScriptedTurn[] = [];
    for (let i = 0; i < STEPS; i++) script.push({ toolCalls: [{ id: `call_${i}`, name: "read", arguments: inputOf(i) }], usage: { input: 100, output: 10 } });
    script.push({ text: "done", usage: { input: 100, output: 1 } });

    const inner = createModelClient({ config: { providers: { bench: { protocol: "openai", baseURL: provider.baseURL, apiKey: "k" } }, cache: { maxEntries: 0, ttlMs: 0 } }, env: {} });
    const { client, modelMs, reset } = timed(inner);
    const files = new DiskWorkspaceFiles(root);
    const config = { permissions: { edit: "allow", bash: "allow", read: "allow", webfetch: "deny" } } as const;
    const registry = new ToolRegistry({ tools: builtinTools(), config });

    let updates = 0;
    async function turnRound(): Promise<{ perStep: number; modelPerStep: number }> {
      provider.setTurns(script);
      reset();
      const messages: Message[] = [];
      const started = performance.now();
      const result = await runTurn({
        model: "bench/m",
        client,
        tools: registry,
        toolContext: { root: files.root, files, session: new ToolSession("bench") },
        messages,
        prompt: "read the files",
        system: "You are a benchmark.",
        signal: new AbortController().signal,
        emit: () => void updates++,
        maxSteps: STEPS + 1,
      });
      const wall = performance.now() - started;
      if (result.stopReason !== "end_turn" || result.steps !== STEPS + 1) throw new Error(`turn: ${result.stopReason} after ${result.steps} steps ${result.error ?? ""}`);
      const failed = messages.filter((m) => m.role === "tool" && m.isError);
      if (failed.length) throw new Error(`tool failed: ${JSON.stringify(failed[0])}`);
      return { perStep: (wall - modelMs()) / STEPS, modelPerStep: modelMs() / (STEPS + 1) };
    }

    async function bareRound(): Promise<number> {
      const ctx = { root: files.root, files, session: new ToolSession("bare"), signal: new AbortController().signal };
      const started = performance.now();
      for (let i = 0; i < STEPS; i++) {
        const r = await registry.run("read", inputOf(i), { ...ctx, callId: `call_${i}` });
        if (r.status !== "completed") throw new Error(`bare read: ${r.output}`);
      }
      return (performance.now() - started) / STEPS;
    }

    await turnRound();
    await bareRound();
    const turns: number[] = [];
    const model: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const order = i % 2 === 0 ? [turnRound, bareRound] : [bareRound, turnRound];
      for (const f of order) {
        if (f === bareRound) bare.push(await bareRound());
        else {
          const r = await turnRound();
          turns.push(r.perStep);
          model.push(r.modelPerStep);
        }
      }
    }
    const t = median(turns);
    const b = median(bare);
    rows.push({ name: `agent overhead per tool step, model time excluded (${STEPS} read steps, median of ${ROUNDS})`, value: `${t.toFixed(2)} ms`, target: "< 5 ms" });
    rows.push({ name: "  baseline: bare registry.run(read), same inputs, per call", value: `${b.toFixed(2)} ms` });
    rows.push({ name: "  ratio (loop step / bare tool call)", value: `${(t / b).toFixed(2)}x` });
    rows.push({ name: "  loop's own share per step (step − bare tool call)", value: `${(t - b).toFixed(2)} ms` });
    rows.push({ name: "  model time per request (scripted server, SDK, history serialization)", value: `${median(model).toFixed(2)} ms` });
  } finally {
    await provider.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function spawnUntil(args: string[], cwd: string, env: NodeJS.ProcessEnv, firstRequest: () => number | undefined): Promise<{ toRequest: number | undefined; toExit: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const toExit = performance.now() - started;
      const at = firstRequest();
      if (code !== 0) return reject(new Error(`exit ${code}: ${stderr.slice(-500)}`));
      resolve({ toRequest: at === undefined ? undefined : at - started, toExit });
    });
  });
}

async function runToFirstRequest(rows: BenchRow[]): Promise<void> {
  const provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "hello" }] });
  const root = mathWorkspace(provider, "openai");
  const env = { ...isolatedEnv(), OPENCODE_LSP_LOG_LEVEL: "warn" };
  try {
    const run = async () => {
      const before = provider.requests.length;
      const r = await spawnUntil([SERVER_BIN, "run", "--yes", "say hello"], root, env, () => provider.requests[before]?.receivedAt);
      if (r.toRequest === undefined) throw new Error("run made no model request");
      return r;
    };
    const bare = async () => (await spawnUntil(["-e", "0"], root, env, () => undefined)).toExit;
    await run();
    await bare();
    const firsts: number[] = [];
    const exits: number[] = [];
    const nodes: number[] = [];
    for (let i = 0; i < SPAWN_ROUNDS; i++) {
      if (i % 2 === 0) {
        const r = await run();
        firsts.push(r.toRequest!);
        exits.push(r.toExit);
        nodes.push(await bare());
      } else {
        nodes.push(await bare());
        const r = await run();
        firsts.push(r.toRequest!);
        exits.push(r.toExit);
      }
    }
    const f = median(firsts);
    const n = median(nodes);
    rows.push({ name: `\`opencode-lsp run\`: spawn → first model request (median of ${SPAWN_ROUNDS})`, value: `${f.toFixed(1)} ms`, target: "< 300 ms" });
    rows.push({ name: "  baseline: spawn → exit of `node -e 0`", value: `${n.toFixed(1)} ms` });
    rows.push({ name: "  difference (run's own startup)", value: `${(f - n).toFixed(1)} ms` });
    rows.push({ name: "  ratio", value: `${(f / n).toFixed(2)}x` });
    rows.push({ name: "  `run` spawn → exit (one short answer)", value: `${median(exits).toFixed(1)} ms` });
  } finally {
    await provider.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  await overheadPerStep(rows);
  await runToFirstRequest(rows);
  return rows;
}

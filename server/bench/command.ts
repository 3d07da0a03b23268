// `opencode-lsp bench`: cut the tasks, ask every model, score, rank, print (table or JSON), chart,
// and only when asked keep the results (--save) or write the recommendation (--apply).
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigStore, formatIssue, loadConfigFiles } from "../config/index.ts";
import type { Config } from "../config/schema.ts";
import { createLogger } from "../log.ts";
import { createModelClient, type ModelClient, parseModelId } from "../providers/index.ts";
import { applyModel } from "./apply.ts";
import { renderChart } from "./chart.ts";
import { ollamaMemory, serverMemory } from "./memory.ts";
import { chooseModels, providerOf } from "./models.ts";
import { BENCH_HELP, type BenchOptions, parseBenchArgs } from "./options.ts";
import { progress, type ProgressOutput } from "./progress.ts";
import { askModeOf } from "./prompts.ts";
import { mergeResults, readSaved, saveResult } from "./saved.ts";
import type { BenchResult, ModelReport } from "./schema.ts";
import { rank, recommendation } from "./selector.ts";
import { formatTable } from "./table.ts";
import { sampleTasks, type Task } from "./tasks.ts";

export interface BenchIO {
  stdout(text: string): void;
  stderr: ProgressOutput;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on the terminal; absent when there is none to ask on. */
  confirm?: (question: string) => Promise<boolean>;
  /** Ctrl-C. */
  signal?: AbortSignal;
}

const countBy = <T>(items: T[], key: (t: T) => string) => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

async function memoryOf(config: Config, env: NodeJS.ProcessEnv, model: string, answered: boolean, peakRssBytes: number): Promise<ModelReport["memory"]> {
  const provider = providerOf(config, env, model);
  const memory: ModelReport["memory"] = { peakRssBytes };
  // Only a server that answered (so policy allowed it): asked while the model is still loaded.
  if (!provider?.baseURL || !answered) return memory;
  if (provider.protocol === "ollama") {
    const ollama = await ollamaMemory(provider.baseURL, parseModelId(model)!.model);
    if (ollama) memory.ollama = ollama;
  } else if (provider.protocol === "openai" && provider.local) {
    const server = await serverMemory(provider.baseURL);
    if (server) memory.server = server;
  }
  return memory;
}

async function measure(client: ModelClient, config: Config, models: string[], tasks: Task[], options: BenchOptions, io: BenchIO): Promise<ModelReport[]> {
  // The tokenizer (o200k, a few MB) loads only when models are asked: not for --help, errors or --saved.
  const [{ runModel }, { reportOf }] = await Promise.all([import("./runner.ts"), import("./report.ts")]);
  const bar = progress(io.stderr, models.length * tasks.length);
  const reports: ModelReport[] = [];
  try {
    for (const model of models) {
      if (io.signal?.aborted) break;
      const provider = providerOf(config, io.env, model);
      const started = performance.now();
      const run = await runModel(client, model, tasks, askModeOf(provider?.protocol ?? "openai", client.modelInfo(model)), {
        concurrency: options.concurrency,
        timeoutMs: options.timeoutMs,
        ...(io.signal ? { signal: io.signal } : {}),
        onAttempt: (a) => bar.tick(model, a.error !== undefined),
      });
      const errors = run.attempts.filter((a) => a.error).length;
      bar.modelDone(model, run.attempts.length, errors, performance.now() - started);
      const memory = await memoryOf(config, io.env, model, errors < run.attempts.length, run.peakRssBytes);
      reports.push(reportOf(run, client.modelInfo(model)?.price ?? { input: 0, output: 0 }, memory));
    }
  } finally {
    bar.end();
  }
  return reports;
}

function resultOf(tasks: Task[], candidates: number, reports: ModelReport[], options: BenchOptions): BenchResult {
  const ranking = rank(reports, options.weights);
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    seed: options.seed,
    tasks: {
      count: tasks.length,
      candidates,
      byKind: countBy(tasks, (t) => t.kind),
      byLanguage: countBy(tasks, (t) => t.language),
      list: tasks.map((t) => ({ id: t.id, kind: t.kind, file: t.file, language: t.language, line: t.line })),
    },
    weights: options.weights,
    models: reports,
    ranking,
    recommendation: recommendation(ranking),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

async function applyRecommendation(result: BenchResult, options: BenchOptions, io: BenchIO): Promise<number> {
  const model = result.recommendation;
  if (!model) {
    io.stderr.write("bench: nothing to apply: no model answered\n");
    return 1;
  }
  const question = `Write "model": "${model}" to ${resolve(io.cwd, "opencode.json")}?`;
  const yes = options.yes || (io.confirm ? await io.confirm(question) : undefined);
  if (yes === undefined) {
    io.stderr.write("bench: not applied: no terminal to ask on (pass --yes to apply without asking)\n");
    return 1;
  }
  if (!yes) {
    io.stderr.write("bench: not applied\n");
    return 1;
  }
  try {
    const { path, previous } = applyModel(io.cwd, model);
    io.stderr.write(`bench: ${path}: model ${previous ? `${previous} → ` : ""}${model}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`bench: ${(error as Error).message}\n`);
    return 1;
  }
}

/** Prints the result, writes what was asked for; the exit code. */
async function finish(result: BenchResult, options: BenchOptions, io: BenchIO): Promise<number> {
  let shown = result;
  if (options.save) {
    const previous = readSaved(io.cwd, io.env);
    shown = mergeResults(previous.found && "result" in previous ? previous.result : undefined, result);
    const paths = saveResult(io.cwd, shown, renderChart(shown), io.env);
    io.stderr.write(`bench: saved ${paths.json} (chart ${paths.svg})\n`);
  }
  io.stdout(options.json ? `${JSON.stringify(shown, null, 2)}\n` : `${formatTable(shown)}\n`);
  if (options.svg) {
    const path = resolve(io.cwd, options.svg);
    writeFileSync(path, renderChart(shown));
    io.stderr.write(`bench: chart ${path}\n`);
  }
  if (options.apply) return applyRecommendation(shown, options, io);
  return shown.recommendation ? 0 : 1;
}

export async function benchCommand(args: string[], io: BenchIO): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`opencode-lsp bench: ${message} (see opencode-lsp bench --help)\n`);
    return 2;
  };
  let options: BenchOptions;
  try {
    const parsed = parseBenchArgs(args);
    if (parsed.help) {
      io.stdout(`${BENCH_HELP}\n`);
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    return usage((error as Error).message);
  }

  if (options.saved) {
    const saved = readSaved(io.cwd, io.env);
    if (!saved.found) {
      io.stderr.write("bench: no saved results for this workspace (run opencode-lsp bench --save first)\n");
      return 1;
    }
    if ("problem" in saved) return usage(`saved results unreadable: ${saved.problem}`);
    const ranking = rank(saved.result.models, options.weights);
    return finish({ ...saved.result, weights: options.weights, ranking, recommendation: recommendation(ranking) }, { ...options, save: false }, io);
  }

  const store = new ConfigStore();
  const issues = loadConfigFiles(store, io.cwd);
  if (issues.length > 0) return usage(`invalid configuration: ${issues.map(formatIssue).join("; ")}`);
  const config = store.config;
  const log = createLogger({ level: io.env.OPENCODE_LSP_LOG_LEVEL ?? "warn" }, io.env);
  // The cache is off: every request is measured, none replayed.
  const client = createModelClient({ config: { ...config, cache: { maxEntries: 0, ttlMs: 0 } }, env: io.env, log });

  const sample = sampleTasks(io.cwd, { tasks: options.tasks, seed: options.seed, ...(options.languages ? { languages: options.languages } : {}), ...(options.kinds ? { kinds: options.kinds } : {}) });
  if (sample.tasks.length === 0) {
    io.stderr.write(`bench: no task could be cut: ${sample.candidates} tracked source files${options.languages ? ` in ${options.languages.join(", ")}` : ""} under ${io.cwd}\n`);
    return 1;
  }
  const choice = await chooseModels(client, config, io.env, options.models);
  if (!choice.ok) return usage(choice.message);
  io.stderr.write(`bench: ${sample.tasks.length} tasks from ${sample.candidates} source files × ${choice.models.length} model${choice.models.length === 1 ? "" : "s"}: ${choice.models.join(", ")}\n`);

  const reports = await measure(client, config, choice.models, sample.tasks, options, io);
  if (io.signal?.aborted) {
    io.stderr.write("bench: interrupted; nothing printed or saved\n");
    return 130;
  }
  return finish(resultOf(sample.tasks, sample.candidates, reports, options), options, io);
}

// `opencode-lsp bench` flags (node:util parseArgs, strict) and their help.
import { parseArgs } from "node:util";
import { DEFAULT_WEIGHTS, parseWeights } from "./selector.ts";
import type { Weights } from "./schema.ts";
import { TASK_KINDS, type TaskKind } from "./tasks.ts";
import { LANGUAGES } from "./languages.ts";

export const BENCH_HELP = `Usage: opencode-lsp bench [--models A,B] [--tasks N] [options]

Benchmarks models on tasks cut from this repository (its tracked source files; run it at the
workspace root), ranks them and recommends one. Tasks: fill-in-the-middle spans (a line, a block
body, an API call) and chat edits (a rename, checked against the original text). Each model is asked
directly (no router, no cache), temperature 0, on its fill-in-the-middle endpoint when the provider
has one (Ollama; OpenAI-compatible models marked "fim": true), otherwise with a FIM prompt.

Metrics: exact match and edit similarity (CrossCodeEval), token accuracy (CodeXGLUE, o200k tokens),
identifier F1; latency p50/p95 to the first token and to the end; tokens/s; cost (catalogue prices);
errors; memory (Ollama /api/ps, a local server's /metrics, this process's peak RSS).

Options:
  -m, --models A,B        provider/model ids (default: every usable model)
  -n, --tasks N           how many tasks (default 40)
  --languages L,M         only these languages (${LANGUAGES.map((l) => l.id).join(", ")})
  --kinds K,L             only these task kinds (${TASK_KINDS.join(", ")})
  --seed N                the sample's seed: the same seed cuts the same tasks (default 1)
  -c, --concurrency N     requests in flight per model (default 4)
  --timeout SECONDS       per request (default 60)
  --weights W             the selector's weights (default accuracy=${DEFAULT_WEIGHTS.accuracy},latency=${DEFAULT_WEIGHTS.latency},cost=${DEFAULT_WEIGHTS.cost})
                          score = weighted mean of accuracy (mean of EM, ES, token acc, ident. F1),
                          latency 1/(1 + p50 s) and cost 1/(1 + USD per 1000 tasks)
  --json                  print { tasks, models, ranking, ... } as JSON instead of the table
  --svg FILE              write the chart (accuracy vs latency, bars per metric) to FILE
  --save                  keep the results (and chart) under $XDG_STATE_HOME/opencode-lsp/bench/;
                          nothing is stored without it. Saved runs on the same tasks are ranked together,
                          and editors show the last ranking (opencode.model.select without arguments)
  --saved                 show the saved results again (re-ranked with --weights); asks no model
  --apply                 write the recommended model to ./opencode.json (asks first)
  -y, --yes               apply without asking
  -h, --help              this help

Exit codes: 0 done, 1 no task could be cut or no model answered (or --apply not confirmed), 2 bad usage or config, 130 interrupted.`;

export interface BenchOptions {
  models?: string[];
  tasks: number;
  languages?: string[];
  kinds?: TaskKind[];
  seed: number;
  concurrency: number;
  timeoutMs: number;
  weights: Weights;
  json: boolean;
  svg?: string;
  save: boolean;
  saved: boolean;
  apply: boolean;
  yes: boolean;
}

export type ParsedBench = { help: true } | { help: false; options: BenchOptions };

const list = (value: string | undefined) => value?.split(",").map((s) => s.trim()).filter(Boolean);

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} takes a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** Throws an Error with a one-line message on bad flags. */
export function parseBenchArgs(args: string[]): ParsedBench {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        models: { type: "string", short: "m" },
        tasks: { type: "string", short: "n" },
        languages: { type: "string" },
        kinds: { type: "string" },
        seed: { type: "string" },
        concurrency: { type: "string", short: "c" },
        timeout: { type: "string" },
        weights: { type: "string" },
        json: { type: "boolean" },
        svg: { type: "string" },
        save: { type: "boolean" },
        saved: { type: "boolean" },
        apply: { type: "boolean" },
        yes: { type: "boolean", short: "y" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new Error((error as Error).message.replace(/\. To specify.*$/s, ""));
  }
  if (values.help) return { help: true };
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}" (models go in --models A,B)`);
  const models = list(values.models as string | undefined);
  for (const m of models ?? []) if (!/^[^/\s]+\/\S+$/.test(m)) throw new Error(`--models: "${m}" is not of the form provider/model`);
  const languages = list(values.languages as string | undefined);
  for (const l of languages ?? []) if (!LANGUAGES.some((x) => x.id === l)) throw new Error(`--languages: unknown language "${l}" (${LANGUAGES.map((x) => x.id).join(", ")})`);
  const kinds = list(values.kinds as string | undefined);
  for (const k of kinds ?? []) if (!(TASK_KINDS as readonly string[]).includes(k)) throw new Error(`--kinds: unknown kind "${k}" (${TASK_KINDS.join(", ")})`);
  const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new Error(`--timeout takes seconds above 0, got "${values.timeout}"`);
  if (values.saved && (values.models || values.tasks || values.seed)) throw new Error("--saved shows saved results: it takes no --models, --tasks or --seed");
  return {
    help: false,
    options: {
      ...(models?.length ? { models } : {}),
      tasks: whole("tasks", values.tasks as string | undefined, 40, 1, 10_000),
      ...(languages?.length ? { languages } : {}),
      ...(kinds?.length ? { kinds: kinds as TaskKind[] } : {}),
      seed: whole("seed", values.seed as string | undefined, 1, 0, 2 ** 32 - 1),
      concurrency: whole("concurrency", values.concurrency as string | undefined, 4, 1, 64),
      timeoutMs: Math.round(timeout * 1000),
      weights: values.weights === undefined ? DEFAULT_WEIGHTS : parseWeights(values.weights as string),
      json: Boolean(values.json),
      ...(values.svg ? { svg: values.svg as string } : {}),
      save: Boolean(values.save),
      saved: Boolean(values.saved),
      apply: Boolean(values.apply),
      yes: Boolean(values.yes),
    },
  };
}

// The shape of a benchmark result: what `opencode-lsp bench --json` prints, what `--save` keeps,
// and what the selector (`opencode.model.select` without arguments) reads back. One schema (zod/mini)
// validates saved results at the edge; the types below are derived from it.
import * as z from "zod/mini";

const percent = z.number().check(z.gte(0), z.lte(100));
const ms = z.nullable(z.number().check(z.nonnegative()));
const count = z.int().check(z.nonnegative());

export const accuracySchema = z.strictObject({
  /** % of tasks answered exactly (CrossCodeEval EM). */
  exactMatch: percent,
  /** Mean edit similarity 0–100 (CrossCodeEval ES). */
  editSimilarity: percent,
  /** % of gold tokens predicted at their position (CodeXGLUE), o200k tokens. */
  tokenAccuracy: percent,
  /** Mean identifier F1, %. */
  identifierF1: percent,
});

export const taskKindSchema = z.enum(["line", "block", "api", "edit"]);

export const modelReportSchema = z.strictObject({
  model: z.string(),
  /** "fim": the provider's fill-in-the-middle endpoint; "prompt": a FIM prompt over chat. */
  mode: z.enum(["fim", "prompt"]),
  tasks: count,
  answered: count,
  errors: count,
  /** The first error's message, when there were errors. */
  error: z.optional(z.string()),
  accuracy: accuracySchema,
  byKind: z.record(z.string(), accuracySchema),
  latency: z.strictObject({ firstTokenP50: ms, firstTokenP95: ms, totalP50: ms, totalP95: ms }),
  /** Output tokens per second of generation (first token to last), over all answers. */
  tokensPerSecond: z.nullable(z.number().check(z.nonnegative())),
  tokens: z.strictObject({ input: count, output: count }),
  cost: z.strictObject({ usd: z.number().check(z.nonnegative()), perThousandTasks: z.number().check(z.nonnegative()), price: z.strictObject({ input: z.number(), output: z.number() }) }),
  memory: z.strictObject({
    /** This process's peak resident set while the model ran. */
    peakRssBytes: count,
    /** Ollama /api/ps: the loaded model's size and the part of it in VRAM. */
    ollama: z.optional(z.strictObject({ sizeBytes: count, vramBytes: count })),
    /** What an OpenAI-compatible local server reports on /metrics (vLLM, llama.cpp). */
    server: z.optional(z.strictObject({ residentBytes: z.optional(count), kvCacheUsage: z.optional(z.number().check(z.gte(0), z.lte(1))) })),
  }),
});

export const rankingEntrySchema = z.strictObject({
  model: z.string(),
  /** 0–1: the weighted sum of the three parts below. */
  score: z.number().check(z.gte(0), z.lte(1)),
  accuracyScore: z.number().check(z.gte(0), z.lte(1)),
  latencyScore: z.number().check(z.gte(0), z.lte(1)),
  costScore: z.number().check(z.gte(0), z.lte(1)),
  reason: z.string(),
  exactMatch: percent,
  editSimilarity: percent,
  tokenAccuracy: percent,
  identifierF1: percent,
  latencyP50Ms: ms,
  costPerThousandTasks: z.number().check(z.nonnegative()),
  errors: count,
});

export const weightsSchema = z.strictObject({ accuracy: z.number().check(z.gte(0)), latency: z.number().check(z.gte(0)), cost: z.number().check(z.gte(0)) });

export const benchResultSchema = z.strictObject({
  version: z.literal(1),
  createdAt: z.string(),
  seed: z.int(),
  tasks: z.strictObject({
    count,
    /** Source files the tasks were drawn from. */
    candidates: count,
    byKind: z.record(z.string(), count),
    byLanguage: z.record(z.string(), count),
    list: z.array(z.strictObject({ id: z.string(), kind: taskKindSchema, file: z.string(), language: z.string(), line: z.int().check(z.positive()) })),
  }),
  weights: weightsSchema,
  models: z.array(modelReportSchema),
  ranking: z.array(rankingEntrySchema),
  recommendation: z.nullable(z.string()),
  /** This process's peak resident set over the whole run. */
  peakRssBytes: count,
});

export type Accuracy = z.infer<typeof accuracySchema>;
export type ModelReport = z.infer<typeof modelReportSchema>;
export type RankingEntry = z.infer<typeof rankingEntrySchema>;
export type Weights = z.infer<typeof weightsSchema>;
export type BenchResult = z.infer<typeof benchResultSchema>;

/** A saved or printed result checked against the schema; the first problems named on failure. */
export function parseBenchResult(raw: unknown): { ok: true; value: BenchResult } | { ok: false; message: string } {
  const result = z.safeParse(benchResultSchema, raw);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
}

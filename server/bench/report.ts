// One model's figures from its run: accuracy (a failed request scores as an empty answer), latency
// percentiles to the first token and to the end, generation speed, tokens, cost from the catalogue
// price, memory.
import { languageById } from "./languages.ts";
import { type SampleScore, scoreSample, summarize } from "./metrics.ts";
import type { ModelRun } from "./runner.ts";
import type { ModelReport } from "./schema.ts";

/** The q-quantile by nearest rank; null for no samples. */
export function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export function reportOf(run: ModelRun, price: { input: number; output: number }, memory: ModelReport["memory"]): ModelReport {
  const scores: SampleScore[] = [];
  const byKind = new Map<string, SampleScore[]>();
  let errors = 0;
  let firstError: string | undefined;
  const ttft: number[] = [];
  const total: number[] = [];
  let input = 0;
  let output = 0;
  let generatedTokens = 0;
  let generationMs = 0;
  for (const a of run.attempts) {
    const language = languageById(a.task.language)!;
    const score = scoreSample(a.task.middle, a.answer, language, { fim: a.task.kind !== "edit" });
    scores.push(score);
    byKind.set(a.task.kind, [...(byKind.get(a.task.kind) ?? []), score]);
    input += a.inputTokens;
    if (a.error) {
      errors++;
      firstError ??= a.error;
      continue;
    }
    output += a.outputTokens;
    total.push(a.totalMs);
    if (a.ttftMs !== null) {
      ttft.push(a.ttftMs);
      generatedTokens += a.outputTokens;
      generationMs += a.totalMs - a.ttftMs;
    }
  }
  const usd = (input * price.input + output * price.output) / 1e6;
  const tasks = run.attempts.length;
  return {
    model: run.model,
    mode: run.mode,
    tasks,
    answered: tasks - errors,
    errors,
    ...(firstError ? { error: firstError } : {}),
    accuracy: summarize(scores),
    byKind: Object.fromEntries([...byKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, s]) => [kind, summarize(s)])),
    latency: { firstTokenP50: round1(quantile(ttft, 0.5)), firstTokenP95: round1(quantile(ttft, 0.95)), totalP50: round1(quantile(total, 0.5)), totalP95: round1(quantile(total, 0.95)) },
    // Generation time under a millisecond (one chunk) says nothing about speed.
    tokensPerSecond: generationMs >= 1 ? Math.round((generatedTokens / generationMs) * 1000 * 10) / 10 : null,
    tokens: { input, output },
    cost: { usd: Math.round(usd * 1e6) / 1e6, perThousandTasks: tasks ? Math.round((usd / tasks) * 1000 * 1e4) / 1e4 : 0, price },
    memory,
  };
}

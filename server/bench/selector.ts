// The selector: one score per model from weights over three parts, each 0–1:
//   accuracy = mean of EM, ES, token accuracy and identifier F1 (each 0–100) / 100
//   latency  = 1 / (1 + p50 total latency in seconds)       (1 s → 0.5)
//   cost     = 1 / (1 + USD per 1000 tasks)                 ($1 per 1000 tasks → 0.5; free → 1)
// score = Σ weight·part / Σ weights. A model that answered nothing scores 0. The ranking is best
// first, each with a one-line reason.
import type { ModelReport, RankingEntry, Weights } from "./schema.ts";

export const DEFAULT_WEIGHTS: Weights = { accuracy: 0.6, latency: 0.3, cost: 0.1 };

/** "accuracy=0.6,latency=0.3,cost=0.1"; parts left out weigh 0. Throws with a clear message. */
export function parseWeights(text: string): Weights {
  const weights: Weights = { accuracy: 0, latency: 0, cost: 0 };
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, value, extra] = part.split("=").map((s) => s.trim());
    if (key !== "accuracy" && key !== "latency" && key !== "cost") throw new Error(`--weights: unknown part "${key}" (accuracy, latency, cost)`);
    const n = Number(value);
    if (extra !== undefined || value === undefined || value === "" || !Number.isFinite(n) || n < 0) throw new Error(`--weights: ${key} needs a number ≥ 0, got "${part}"`);
    weights[key] = n;
  }
  if (weights.accuracy + weights.latency + weights.cost <= 0) throw new Error("--weights: at least one weight must be above 0");
  return weights;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

export function accuracyScore(m: ModelReport): number {
  const a = m.accuracy;
  return (a.exactMatch + a.editSimilarity + a.tokenAccuracy + a.identifierF1) / 400;
}

export function latencyScore(m: ModelReport): number {
  return m.latency.totalP50 === null ? 0 : 1 / (1 + m.latency.totalP50 / 1000);
}

export function costScore(m: ModelReport): number {
  return 1 / (1 + m.cost.perThousandTasks);
}

const money = (usd: number) => (usd === 0 ? "free" : `$${usd < 0.01 ? usd.toPrecision(2) : usd.toFixed(2)} per 1k tasks`);

function reasonOf(m: ModelReport, all: ModelReport[]): string {
  if (m.answered === 0) return `every request failed${m.error ? `: ${m.error}` : ""}`;
  const answered = all.filter((o) => o.answered > 0);
  const labels: string[] = [];
  const best = (value: (o: ModelReport) => number, lowest = false) => {
    const values = answered.map(value);
    const target = lowest ? Math.min(...values) : Math.max(...values);
    return answered.length > 1 && value(m) === target && values.some((v) => v !== target);
  };
  if (best(accuracyScore)) labels.push("most accurate");
  if (best((o) => o.latency.totalP50 ?? Number.POSITIVE_INFINITY, true)) labels.push("fastest");
  if (best((o) => o.cost.perThousandTasks, true)) labels.push("cheapest");
  const a = m.accuracy;
  const parts = [`EM ${a.exactMatch}%, ES ${a.editSimilarity}, tokens ${a.tokenAccuracy}%, identifiers F1 ${a.identifierF1}%`, `p50 ${Math.round(m.latency.totalP50 ?? 0)} ms`, money(m.cost.perThousandTasks)];
  if (m.errors > 0) parts.push(`${m.errors}/${m.tasks} failed`);
  return `${labels.length ? `${labels.join(", ")}: ` : ""}${parts.join("; ")}`;
}

export function rank(models: ModelReport[], weights: Weights = DEFAULT_WEIGHTS): RankingEntry[] {
  const sum = weights.accuracy + weights.latency + weights.cost;
  return models
    .map((m): RankingEntry => {
      const acc = accuracyScore(m);
      const lat = latencyScore(m);
      const cost = costScore(m);
      const score = m.answered === 0 ? 0 : (weights.accuracy * acc + weights.latency * lat + weights.cost * cost) / sum;
      return {
        model: m.model,
        score: r3(score),
        accuracyScore: r3(acc),
        latencyScore: r3(lat),
        costScore: r3(cost),
        reason: reasonOf(m, models),
        exactMatch: m.accuracy.exactMatch,
        editSimilarity: m.accuracy.editSimilarity,
        tokenAccuracy: m.accuracy.tokenAccuracy,
        identifierF1: m.accuracy.identifierF1,
        latencyP50Ms: m.latency.totalP50,
        costPerThousandTasks: m.cost.perThousandTasks,
        errors: m.errors,
      };
    })
    .sort((x, y) => y.score - x.score || y.accuracyScore - x.accuracyScore || x.model.localeCompare(y.model));
}

/** The model to use: the best that answered anything. */
export function recommendation(ranking: RankingEntry[]): string | null {
  return ranking.find((r) => r.score > 0)?.model ?? null;
}

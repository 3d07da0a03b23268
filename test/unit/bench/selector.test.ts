// The selector's scores and reasons, weights parsing, merging saved runs, and the small readers
// around asking (answers in fences, FIM or prompt, Prometheus metrics).
import { describe, expect, it } from "vitest";
import { renderChart } from "../../../server/bench/chart.ts";
import { metricValue } from "../../../server/bench/memory.ts";
import { answerOf, askModeOf, refusesFim, requestFor } from "../../../server/bench/prompts.ts";
import { quantile } from "../../../server/bench/report.ts";
import { mergeResults } from "../../../server/bench/saved.ts";
import type { BenchResult, ModelReport } from "../../../server/bench/schema.ts";
import { DEFAULT_WEIGHTS, parseWeights, rank, recommendation } from "../../../server/bench/selector.ts";
import type { FimTask } from "../../../server/bench/tasks.ts";

function model(name: string, accuracy: number, p50: number | null, perThousandTasks = 0, errors = 0): ModelReport {
  return {
    model: name,
    mode: "prompt",
    tasks: 10,
    answered: 10 - errors,
    errors,
    ...(errors ? { error: "boom" } : {}),
    accuracy: { exactMatch: accuracy, editSimilarity: accuracy, tokenAccuracy: accuracy, identifierF1: accuracy },
    byKind: {},
    latency: { firstTokenP50: p50, firstTokenP95: p50, totalP50: p50, totalP95: p50 },
    tokensPerSecond: null,
    tokens: { input: 0, output: 0 },
    cost: { usd: perThousandTasks / 100, perThousandTasks, price: { input: 1, output: 1 } },
    memory: { peakRssBytes: 1 },
  };
}

describe("weights", () => {
  it("parses parts; the ones left out weigh 0", () => {
    expect(parseWeights("accuracy=0.6,latency=0.3,cost=0.1")).toEqual(DEFAULT_WEIGHTS);
    expect(parseWeights(" latency = 1 ")).toEqual({ accuracy: 0, latency: 1, cost: 0 });
  });
  it.each([
    ["speed=1", /unknown part "speed"/],
    ["accuracy=", /accuracy needs a number/],
    ["accuracy=x", /accuracy needs a number/],
    ["accuracy=-1", /accuracy needs a number ≥ 0/],
    ["accuracy=1=2", /needs a number/],
    ["accuracy=0,cost=0", /at least one weight/],
  ])("%s is refused clearly", (text, message) => {
    expect(() => parseWeights(text)).toThrow(message);
  });
});

describe("ranking", () => {
  it("scores = weighted mean of accuracy, 1/(1 + p50 s) and 1/(1 + $ per 1000 tasks)", () => {
    const [entry] = rank([model("a/x", 80, 1000, 1)]);
    // accuracy 0.8, latency 1/(1+1) = 0.5, cost 1/(1+1) = 0.5 → 0.6·0.8 + 0.3·0.5 + 0.1·0.5
    expect(entry).toMatchObject({ accuracyScore: 0.8, latencyScore: 0.5, costScore: 0.5, score: 0.68 });
    expect(rank([model("a/x", 80, 1000, 1)], { accuracy: 1, latency: 0, cost: 0 })[0]!.score).toBe(0.8);
    expect(rank([model("a/x", 80, 1000, 1)], { accuracy: 2, latency: 0, cost: 2 })[0]!.score).toBe(0.65); // weights need not sum to 1
  });

  it("ranks best first; a model that answered nothing scores 0 and says why", () => {
    const ranking = rank([model("slow/x", 90, 4000), model("dead/x", 0, null, 0, 10), model("quick/x", 85, 100), model("pricey/x", 90, 100, 50)]);
    expect(ranking.map((r) => r.model)).toEqual(["quick/x", "pricey/x", "slow/x", "dead/x"]);
    expect(ranking.at(-1)).toMatchObject({ score: 0, reason: "every request failed: boom" });
    expect(ranking[0]!.reason).toMatch(/^fastest, cheapest: EM 85%, ES 85, tokens 85%, identifiers F1 85%; p50 100 ms; free$/);
    expect(ranking[1]!.reason).toMatch(/^most accurate, fastest: .*; \$50\.00 per 1k tasks$/);
    expect(recommendation(ranking)).toBe("quick/x");
    expect(recommendation(rank([model("dead/x", 0, null, 0, 10)]))).toBeNull();
  });

  it("partial failures are named in the reason", () => {
    expect(rank([model("a/x", 50, 200, 0, 3)])[0]!.reason).toMatch(/3\/10 failed$/);
  });
});

function result(seed: number, ids: string[], models: ModelReport[]): BenchResult {
  const ranking = rank(models);
  return {
    version: 1,
    createdAt: "2026-01-01T00:00:00.000Z",
    seed,
    tasks: { count: ids.length, candidates: 1, byKind: { line: ids.length }, byLanguage: { go: ids.length }, list: ids.map((id, i) => ({ id, kind: "line" as const, file: "a.go", language: "go", line: i + 1 })) },
    weights: DEFAULT_WEIGHTS,
    models,
    ranking,
    recommendation: recommendation(ranking),
    peakRssBytes: 1,
  };
}

describe("saved runs", () => {
  it("a run on the same tasks joins the saved models (its own replacing theirs); other tasks replace them", () => {
    const saved = result(1, ["line:a.go:1", "line:a.go:2"], [model("a/x", 50, 100), model("b/x", 70, 100)]);
    const next = result(1, ["line:a.go:1", "line:a.go:2"], [model("b/x", 90, 100), model("c/x", 10, 100)]);
    const merged = mergeResults(saved, next);
    expect(merged.ranking.map((r) => [r.model, r.exactMatch])).toEqual([["b/x", 90], ["a/x", 50], ["c/x", 10]]);
    expect(merged.recommendation).toBe("b/x");
    expect(mergeResults(saved, result(2, ["line:a.go:1", "line:a.go:2"], [model("c/x", 10, 100)])).models.map((m) => m.model)).toEqual(["c/x"]);
    expect(mergeResults(saved, result(1, ["line:a.go:3"], [model("c/x", 10, 100)])).models.map((m) => m.model)).toEqual(["c/x"]);
    expect(mergeResults(undefined, next)).toBe(next);
  });
});

describe("chart", () => {
  it("one mark per model, one bar per model and metric, names escaped", () => {
    const svg = renderChart(result(1, ["line:a.go:1"], [model("a/<x>", 50, 100), model("b/x", 0, null, 0, 10)]));
    expect(svg.match(/<circle class="model-mark"/g)).toHaveLength(2);
    expect(svg.match(/<rect class="metric-bar"/g)).toHaveLength(8);
    expect(svg).toContain('data-model="a/&lt;x&gt;"');
    expect(svg).not.toContain("<x>");
    expect(svg).toContain("b/x (failed)");
    expect(svg).not.toMatch(/<script|href=/);
  });
});

describe("asking", () => {
  const task: FimTask = { id: "line:a.ts:1", kind: "line", file: "a.ts", language: "typescript", line: 1, prefix: "const a = ", middle: "f(1);", suffix: "\n" };
  it("FIM natively on Ollama and on OpenAI-compatible models marked fim, else by prompt", () => {
    expect(askModeOf("ollama", undefined)).toBe("fim");
    expect(askModeOf("openai", { fim: true } as never)).toBe("fim");
    expect(askModeOf("openai", { fim: false } as never)).toBe("prompt");
    expect(askModeOf("anthropic", { fim: true } as never)).toBe("prompt");
    expect(requestFor(task, "fim")).toMatchObject({ messages: [], fim: { prefix: "const a = ", suffix: "\n" }, temperature: 0 });
    const prompt = requestFor(task, "prompt");
    expect(prompt.fim).toBeUndefined();
    expect(prompt.temperature).toBe(0);
    expect(prompt.messages[0]!.content).toBe("File: a.ts\n```typescript\nconst a = <FILL_HERE>\n\n```");
  });
  it("reads code out of fences, and knows a model that refuses FIM", () => {
    expect(answerOf("Here you go:\n```ts\nf(1);\n```\nDone.")).toBe("f(1);");
    expect(answerOf("f(1);")).toBe("f(1);");
    expect(answerOf("```\nf(1);")).toBe("f(1);");
    expect(refusesFim('registry.ollama.ai/library/llama3:latest does not support insert')).toBe(true);
    expect(refusesFim("connection refused")).toBe(false);
  });
  it("nearest-rank quantiles", () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe("Prometheus metrics", () => {
  it("reads the first sample of a metric, with or without labels", () => {
    const text = '# HELP x\nprocess_resident_memory_bytes 1.5e+09\nvllm:gpu_cache_usage_perc{model_name="m"} 0.42\nbad NaN\n';
    expect(metricValue(text, "process_resident_memory_bytes")).toBe(1.5e9);
    expect(metricValue(text, "vllm:gpu_cache_usage_perc")).toBe(0.42);
    expect(metricValue(text, "bad")).toBeUndefined();
    expect(metricValue(text, "missing")).toBeUndefined();
  });
});

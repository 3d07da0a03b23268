// `opencode-lsp bench` end to end: the built binary on a fixture repository, against scripted model
// servers of known quality speaking the real wire formats (Ollama FIM, OpenAI-compatible FIM,
// Anthropic chat, a failing OpenAI-compatible one): the ranking, the figures, the memory reports,
// the JSON schema, the chart in a real Chromium, and that nothing is stored unless asked.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as z from "zod/mini";
import { beforeAll, describe, expect, it } from "vitest";
import { languageById } from "../../../server/bench/languages.ts";
import { scoreSample, summarize } from "../../../server/bench/metrics.ts";
import { benchResultSchema, type BenchResult } from "../../../server/bench/schema.ts";
import { benchWorkspace, MODELS, type OracleAnswer } from "../../support/bench-repo.ts";
import { haveChromium, launchChromium } from "../../support/chromium.ts";
import { REPO_ROOT } from "../../support/lsp-client.ts";
import type { ScriptedProvider } from "../../support/providers/scripted-server.ts";

const { exact: EXACT, near: NEAR, garbage: GARBAGE, broken: BROKEN } = MODELS;
const TASKS = 8;

const ws = benchWorkspace();


/** The figures a model's answers should get, from the metrics (unit-tested on their own). */
function expectedAccuracy(list: OracleAnswer[]) {
  return summarize(list.map((a) => scoreSample(a.gold, a.answer, languageById(a.language)!, { fim: a.kind === "fim" })));
}

describe("opencode-lsp bench against scripted models", () => {
  let result: BenchResult;
  let stderr: string;

  beforeAll(async () => {
    const run = await ws.run(["--models", [GARBAGE, BROKEN, NEAR, EXACT].join(","), "--tasks", String(TASKS), "--seed", "3", "--json", "--svg", "chart.svg", "--timeout", "10"]);
    stderr = run.stderr;
    expect(run.code, run.stderr).toBe(0);
    result = JSON.parse(run.stdout);
  }, 60_000);

  it("prints JSON that validates against its schema", () => {
    expect(z.safeParse(benchResultSchema, result).success).toBe(true);
    expect(result.tasks.count).toBe(TASKS);
    expect(result.tasks.list).toHaveLength(TASKS);
    expect(new Set(result.tasks.list.map((t) => t.kind))).toEqual(new Set(["line", "block", "api", "edit"]));
    expect(result.models.map((m) => m.model).sort()).toEqual([BROKEN, GARBAGE, EXACT, NEAR].sort());
  });

  it("ranks exact > near miss > garbage and slow > erroring, and recommends the first", () => {
    expect(result.ranking.map((r) => r.model)).toEqual([EXACT, NEAR, GARBAGE, BROKEN]);
    expect(result.recommendation).toBe(EXACT);
    const scores = result.ranking.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(result.ranking.at(-1)).toMatchObject({ score: 0, errors: TASKS });
    expect(result.ranking.at(-1)!.reason).toMatch(/^every request failed: .*the model crashed/);
    expect(result.ranking[0]!.reason).toMatch(/most accurate/);
  });

  it("the figures match the known values", () => {
    const by = Object.fromEntries(result.models.map((m) => [m.model, m]));
    expect(by[EXACT]!.accuracy).toEqual({ exactMatch: 100, editSimilarity: 100, tokenAccuracy: 100, identifierF1: 100 });
    expect(ws.models.answers.exact).toHaveLength(TASKS);
    expect(by[NEAR]!.accuracy).toEqual(expectedAccuracy(ws.models.answers.near));
    expect(by[NEAR]!.accuracy.exactMatch).toBe(0);
    expect(by[NEAR]!.accuracy.editSimilarity).toBeGreaterThan(80);
    expect(by[GARBAGE]!.accuracy).toEqual(expectedAccuracy(ws.models.answers.garbage));
    expect(by[GARBAGE]!.accuracy.exactMatch).toBe(0);
    expect(by[BROKEN]!.accuracy).toEqual({ exactMatch: 0, editSimilarity: 0, tokenAccuracy: 0, identifierF1: 0 });
    expect(by[BROKEN]).toMatchObject({ answered: 0, errors: TASKS });
    for (const m of [EXACT, NEAR, GARBAGE]) expect(by[m]).toMatchObject({ tasks: TASKS, answered: TASKS, errors: 0 });
    // Latency: the slow one waits 300 ms before its first token.
    expect(by[GARBAGE]!.latency.firstTokenP50!).toBeGreaterThanOrEqual(300);
    expect(by[EXACT]!.latency.totalP50!).toBeLessThan(by[GARBAGE]!.latency.totalP50!);
    expect(by[BROKEN]!.latency).toEqual({ firstTokenP50: null, firstTokenP95: null, totalP50: null, totalP95: null });
    expect(by[EXACT]!.tokensPerSecond).toBeGreaterThan(0);
    // Tokens and cost from the reported usage and the configured price ($1 / $2 per million).
    expect(by[NEAR]!.tokens).toEqual({ input: 100 * TASKS, output: 10 * TASKS });
    expect(by[NEAR]!.cost).toEqual({ usd: 0.00096, perThousandTasks: 0.12, price: { input: 1, output: 2 } });
    expect(by[EXACT]!.cost.usd).toBe(0);
    // How each was asked.
    expect(by[EXACT]!.mode).toBe("fim");
    expect(by[NEAR]!.mode).toBe("fim");
    expect(by[GARBAGE]!.mode).toBe("prompt");
  });

  it("memory: Ollama's from its /api/ps, an OpenAI-compatible local server's from /metrics, our own peak RSS", () => {
    const by = Object.fromEntries(result.models.map((m) => [m.model, m]));
    expect(by[EXACT]!.memory.ollama).toEqual({ sizeBytes: 1_987_654_321, vramBytes: 1_234_567_890 });
    expect(by[NEAR]!.memory.server).toEqual({ residentBytes: 524_288_000, kvCacheUsage: 0.25 });
    expect(by[GARBAGE]!.memory.ollama).toBeUndefined();
    for (const m of result.models) expect(m.memory.peakRssBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(result.peakRssBytes).toBeGreaterThanOrEqual(Math.max(...result.models.map((m) => m.memory.peakRssBytes)) - 4 * 1024 * 1024);
  });

  it("asks each model once per task, at temperature 0, on its FIM endpoint where it has one", () => {
    const edits = result.tasks.list.filter((t) => t.kind === "edit").length;
    for (const server of Object.values(ws.models.servers)) expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(TASKS);
    const paths = (s: ScriptedProvider) => s.requests.map((r) => r.path);
    expect(paths(ws.models.servers.exact).filter((p) => p === "/api/generate")).toHaveLength(TASKS - edits);
    expect(paths(ws.models.servers.exact).filter((p) => p === "/api/chat")).toHaveLength(edits);
    expect(paths(ws.models.servers.near).filter((p) => p === "/v1/completions")).toHaveLength(TASKS - edits);
    expect(new Set(paths(ws.models.servers.garbage))).toEqual(new Set(["/v1/messages"]));
    for (const r of ws.models.servers.exact.requests) expect(r.body.options.temperature).toBe(0);
    for (const r of [...ws.models.servers.near.requests, ...ws.models.servers.garbage.requests]) expect(r.body.temperature).toBe(0);
    const generate = ws.models.servers.exact.requests.find((r) => r.path === "/api/generate")!;
    expect(typeof generate.body.suffix).toBe("string");
    expect(JSON.stringify(ws.models.servers.garbage.requests[0]!.body)).toMatch(/<FILL_HERE>|Rename `/);
  });

  it("reports progress on stderr and stores nothing", () => {
    // 5 listed (src/api.ts is read, then refused as generated).
    expect(stderr).toContain(`bench: ${TASKS} tasks from 5 source files × 4 models`);
    expect(stderr).toMatch(new RegExp(`bench: ${EXACT.replace(/[.]/g, "\\.")}: ${TASKS} requests, 0 failed`));
    expect(stderr).toMatch(new RegExp(`bench: ${BROKEN}: ${TASKS} requests, ${TASKS} failed`));
    expect(existsSync(join(ws.state, "opencode-lsp"))).toBe(false);
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: ws.root, encoding: "utf8" });
    // The fixture's files are staged ("A "), unchanged; new files: the chart asked for, and the test's own.
    expect(status.trim().split("\n").filter((l) => !l.startsWith("A  ")).sort()).toEqual(["?? chart.svg", "?? opencode.json", "?? src/untracked.ts"]);
  });

  it.skipIf(!haveChromium)("the chart opens in Chromium and shows one mark per model", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 560 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(pathToFileURL(join(ws.root, "chart.svg")).href);
      const marks = page.locator("circle.model-mark");
      expect(await marks.count()).toBe(4);
      expect(await marks.evaluateAll((els) => els.map((e) => e.getAttribute("data-model")))).toEqual(result.ranking.map((r) => r.model));
      for (let i = 0; i < 4; i++) {
        const box = await marks.nth(i).boundingBox();
        expect(box, `mark ${i} is drawn`).not.toBeNull();
        expect(box!.width).toBeGreaterThan(5);
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(900);
      }
      expect(await page.locator("rect.metric-bar").count()).toBe(16); // 4 metrics × 4 models
      // The failing model has no latency: drawn hollow at the end of the axis.
      expect(await marks.nth(3).getAttribute("fill")).toBe("none");
      const dir = join(REPO_ROOT, ".cache", "test-artifacts");
      mkdirSync(dir, { recursive: true });
      // (fullPage never finishes on an SVG document: the viewport is the chart's size.)
      const png = await page.screenshot({ path: join(dir, "bench-chart.png") });
      expect(png.length).toBeGreaterThan(5_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

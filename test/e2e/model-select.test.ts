// Picking a model from the last benchmark in real editors: with a ranking saved by
// `opencode-lsp bench --save` for the workspace, Neovim's :OpenCode model and Emacs'
// M-x opencode-select-model list it best first with its figures; the pick becomes the server's model.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { saveResult } from "../../server/bench/saved.ts";
import { benchResultSchema, type BenchResult, type ModelReport } from "../../server/bench/schema.ts";
import { rank, recommendation } from "../../server/bench/selector.ts";
import { REPO_ROOT } from "../support/lsp-client.ts";
import { editorBin, skipEditorTests } from "./editors.ts";
import { editorResult, removeAfterTest, runEditor, SERVER_CMD } from "./support.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

function report(model: string, accuracy: number, p50: number | null, errors = 0): ModelReport {
  return {
    model,
    mode: "prompt",
    tasks: 10,
    answered: 10 - errors,
    errors,
    accuracy: { exactMatch: accuracy, editSimilarity: accuracy, tokenAccuracy: accuracy, identifierF1: accuracy },
    byKind: {},
    latency: { firstTokenP50: p50, firstTokenP95: p50, totalP50: p50, totalP95: p50 },
    tokensPerSecond: null,
    tokens: { input: 1000, output: 100 },
    cost: { usd: 0, perThousandTasks: 0, price: { input: 0, output: 0 } },
    memory: { peakRssBytes: 100_000_000 },
  };
}

/** A workspace with a saved ranking of three models (best: scripted/best, then scripted/second). */
function workspace(): { root: string; file: string; state: string; result: BenchResult } {
  const root = mkdtempSync(join(tmpdir(), "ocl-model-"));
  mkdirSync(join(root, ".git"));
  writeFileSync(join(root, "main.ts"), "export const answer = 42;\n");
  writeFileSync(join(root, "opencode.json"), JSON.stringify({ providers: { scripted: { protocol: "openai", baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } } }));
  const models = [report("scripted/third", 40, 900, 2), report("scripted/best", 95, 120), report("scripted/second", 80, 300)];
  const ranking = rank(models);
  const result: BenchResult = {
    version: 1,
    createdAt: "2026-05-04T10:00:00.000Z",
    seed: 1,
    tasks: { count: 10, candidates: 3, byKind: { line: 10 }, byLanguage: { typescript: 10 }, list: Array.from({ length: 10 }, (_, i) => ({ id: `line:main.ts:${i + 1}`, kind: "line" as const, file: "main.ts", language: "typescript", line: i + 1 })) },
    weights: { accuracy: 0.6, latency: 0.3, cost: 0.1 },
    models,
    ranking,
    recommendation: recommendation(ranking),
    peakRssBytes: 100_000_000,
  };
  expect(z.safeParse(benchResultSchema, result).success).toBe(true);
  const state = join(root, ".state");
  saveResult(root, result, "<svg/>", { XDG_STATE_HOME: state });
  return { root, file: join(root, "main.ts"), state, result };
}

function expectRankingShown(items: string[]): void {
  expect(items).toHaveLength(3);
  expect(items[0]).toMatch(/^1\. scripted\/best {2}score 0\.\d{3} {2}EM 95% {2}ES 95 {2}tok 95% {2}idF1 95% {2}p50 120 ms {2}free$/);
  expect(items[1]).toMatch(/^2\. scripted\/second {2}score /);
  expect(items[2]).toMatch(/^3\. scripted\/third .* 2 failed$/);
}

describe.skipIf(skipEditorTests(["nvim"]))("Neovim :OpenCode model", () => {
  it("lists the last benchmark ranking best first with its figures; the pick becomes the model", async () => {
    const ws = workspace();
    const root = removeAfterTest(ws.root);
    const resultFile = join(root, "nvim-result.json");
    const run = await runEditor(editorBin("nvim"), ["--headless", "--clean", "-n", "-c", `luafile ${join(HERE, "fixtures", "nvim-model.lua")}`], {
      cwd: root,
      env: { ...process.env, OCL_REPO: REPO_ROOT, OCL_CMD: JSON.stringify(SERVER_CMD), OCL_FILE: ws.file, OCL_RESULT: resultFile, XDG_STATE_HOME: ws.state, XDG_CONFIG_HOME: join(root, ".config") },
    });
    const result = editorResult(resultFile, "Neovim", run);
    expect(result.error, JSON.stringify(result, null, 2)).toBeUndefined();
    expect(result.prompt).toBe("OpenCode model (benchmark of 2026-05-04, best first)");
    expectRankingShown(result.items);
    expect(result.messages).toContain("OpenCode: model scripted/second");
    expect(result.current).toBe("scripted/second");
  }, 120_000);
});

describe.skipIf(skipEditorTests(["emacs"]))("Emacs M-x opencode-select-model", () => {
  it("lists the last benchmark ranking best first with its figures; the pick becomes the model", async () => {
    const ws = workspace();
    const root = removeAfterTest(ws.root);
    const resultFile = join(root, "emacs-result.json");
    const env = { ...process.env, HOME: join(root, ".home"), XDG_STATE_HOME: ws.state };
    mkdirSync(env.HOME, { recursive: true });
    const run = await runEditor(editorBin("emacs"), ["--batch", "-Q", "-l", join(HERE, "fixtures", "emacs-model.el")], {
      cwd: root,
      env: { ...env, OCL_LISP: join(REPO_ROOT, "clients", "emacs"), OCL_CMD: JSON.stringify(SERVER_CMD), OCL_FILE: ws.file, OCL_RESULT: resultFile },
    });
    const result = editorResult(resultFile, "Emacs", run);
    expect(result.error, `${JSON.stringify(result, null, 2)}\n${run.stderr.slice(-3000)}`).toBeUndefined();
    expect(result.prompt).toBe("OpenCode model (last benchmark, best first): ");
    expectRankingShown(result.items);
    expect(result.messages).toContain("OpenCode: model scripted/second");
    expect(result.current).toBe("scripted/second");
  }, 120_000);
});

// Results kept with `--save` (and only then: nothing is stored by default), one file per workspace
// under the XDG state directory, readable only by the user. A later run on the same tasks (same seed,
// same task list) adds its models to the saved ones, so models benchmarked one at a time are ranked
// together; the selector (`opencode.model.select` without arguments) reads the last ranking back.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stateDir } from "../config/files.ts";
import { type BenchResult, parseBenchResult } from "./schema.ts";
import { rank, recommendation } from "./selector.ts";

/** The file a workspace's results are kept in (its chart beside it, .svg). */
export function savedPath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = createHash("sha256").update(resolve(root)).digest("hex").slice(0, 16);
  return join(stateDir(env), "bench", `${key}.json`);
}

export type SavedRead = { found: false } | { found: true; result: BenchResult } | { found: true; problem: string };

export function readSaved(root: string, env: NodeJS.ProcessEnv = process.env): SavedRead {
  const path = savedPath(root, env);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { found: false };
  }
  try {
    const parsed = parseBenchResult(JSON.parse(text));
    return parsed.ok ? { found: true, result: parsed.value } : { found: true, problem: `${path}: ${parsed.message}` };
  } catch (error) {
    return { found: true, problem: `${path}: ${(error as Error).message}` };
  }
}

const sameTasks = (a: BenchResult, b: BenchResult) => a.seed === b.seed && a.tasks.list.map((t) => t.id).join("\n") === b.tasks.list.map((t) => t.id).join("\n");

/** This run, plus the saved run's other models when both ran the same tasks; re-ranked. */
export function mergeResults(previous: BenchResult | undefined, current: BenchResult): BenchResult {
  if (!previous || !sameTasks(previous, current)) return current;
  const models = [...current.models, ...previous.models.filter((m) => !current.models.some((c) => c.model === m.model))];
  const ranking = rank(models, current.weights);
  return { ...current, models, ranking, recommendation: recommendation(ranking) };
}

function writePrivate(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
}

/** Writes the result (and its chart) for this workspace; returns the paths. */
export function saveResult(root: string, result: BenchResult, svg: string, env: NodeJS.ProcessEnv = process.env): { json: string; svg: string } {
  const json = savedPath(root, env);
  mkdirSync(join(json, ".."), { recursive: true, mode: 0o700 });
  writePrivate(json, `${JSON.stringify(result, null, 2)}\n`);
  const chart = json.replace(/\.json$/, ".svg");
  writePrivate(chart, svg);
  return { json, svg: chart };
}

export interface LastRanking {
  /** Best first; empty when nothing is saved for this workspace. */
  ranking: BenchResult["ranking"];
  recommendation: string | null;
  createdAt: string | null;
  tasks: number;
  /** Why the ranking is empty. */
  message?: string;
}

/** What editors show for "pick a model": the last saved ranking of this workspace. */
export function lastRanking(root: string | undefined, env: NodeJS.ProcessEnv = process.env): LastRanking {
  const none = (message: string): LastRanking => ({ ranking: [], recommendation: null, createdAt: null, tasks: 0, message });
  if (!root) return none("no workspace folder: run opencode-lsp bench --save at the workspace root");
  const saved = readSaved(root, env);
  if (!saved.found) return none("no saved benchmark for this workspace: run opencode-lsp bench --save at its root");
  if ("problem" in saved) return none(`saved benchmark unreadable: ${saved.problem}`);
  const { ranking, recommendation, createdAt, tasks } = saved.result;
  return { ranking, recommendation, createdAt, tasks: tasks.count };
}

// What the usage store counts, and where: one row per hour bucket and dimensions (segment, region,
// provider, model, workspace). Counts are numbers only — never prompt or code text. Every label is
// a sanitized identifier (label()).

/** The dimensions of one row. `hour` is the UTC hour bucket, "YYYY-MM-DDTHH". */
export interface Dims {
  hour: string;
  segment: string;
  region: string;
  provider: string;
  model: string;
  /** The workspace folder's name, hashed (workspaceHash). */
  workspace: string;
}

export interface Counts {
  sessions: number;
  turns: number;
  tokens: { input: number; output: number; cached: number };
  /** Tool calls by tool name. */
  tools: Record<string, { completed?: number; failed?: number }>;
  /** Edits (file writes) the agent applied, and what happened to them since. */
  edits: { applied: number; accepted: number; rejected: number; reverted: number };
  /** Failed turns by error kind (the provider's kinds, "worker", "exception"). */
  errors: Record<string, number>;
}

export interface Row extends Dims {
  counts: Counts;
}

/** A part of Counts to add (what one event counts). */
export type CountsDelta = { [K in keyof Counts]?: Counts[K] extends number ? number : Partial<Counts[K]> };

export const DIMENSIONS = ["segment", "region", "provider", "model", "workspace"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export function emptyCounts(): Counts {
  return { sessions: 0, turns: 0, tokens: { input: 0, output: 0, cached: 0 }, tools: {}, edits: { applied: 0, accepted: 0, rejected: 0, reverted: 0 }, errors: {} };
}

/** Adds `from` into `into` (positive finite numbers only; the tool and error maps grow). */
export function addCounts(into: Counts, from: CountsDelta): Counts {
  into.sessions += positive(from.sessions);
  into.turns += positive(from.turns);
  if (from.tokens) addFlat(into.tokens, from.tokens);
  if (from.edits) addFlat(into.edits, from.edits);
  if (from.errors) addFlat(into.errors, from.errors);
  for (const name in from.tools) {
    if (name === "__proto__") continue;
    const t = from.tools[name]!;
    const completed = positive(t.completed);
    const failed = positive(t.failed);
    if (!completed && !failed) continue;
    const tool = (into.tools[name] ??= {});
    if (completed) tool.completed = (tool.completed ?? 0) + completed;
    if (failed) tool.failed = (tool.failed ?? 0) + failed;
  }
  return into;
}

function addFlat(into: Record<string, number>, from: Record<string, number | undefined>): void {
  for (const key in from) {
    if (key === "__proto__") continue;
    const n = positive(from[key]);
    if (n) into[key] = (into[key] ?? 0) + n;
  }
}

function positive(n: unknown): number {
  return typeof n === "number" && n > 0 && n < Infinity ? n : 0;
}

/** The figures every view shows, flat. */
export interface Totals {
  sessions: number;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  toolCalls: number;
  toolFailures: number;
  editsApplied: number;
  editsAccepted: number;
  editsRejected: number;
  editsReverted: number;
  errors: number;
}

export function totalsOf(c: Counts): Totals {
  const tools = Object.values(c.tools);
  return {
    sessions: c.sessions,
    turns: c.turns,
    inputTokens: c.tokens.input,
    outputTokens: c.tokens.output,
    cachedTokens: c.tokens.cached,
    toolCalls: tools.reduce((n, t) => n + (t.completed ?? 0) + (t.failed ?? 0), 0),
    toolFailures: tools.reduce((n, t) => n + (t.failed ?? 0), 0),
    editsApplied: c.edits.applied,
    editsAccepted: c.edits.accepted,
    editsRejected: c.edits.rejected,
    editsReverted: c.edits.reverted,
    errors: Object.values(c.errors).reduce((n, k) => n + k, 0),
  };
}

/** Label values: short, plain identifiers only (lowercase; anything else becomes "_"). */
export function label(value: string): string {
  const clean = String(value).toLowerCase().replace(/[^a-z0-9._:/-]+/g, "_").slice(0, 64);
  return clean || "unknown";
}

/** The key of a row's dimensions, for maps of rows. */
export function dimsKey(d: Dims): string {
  return [d.hour, d.segment, d.region, d.provider, d.model, d.workspace].join("\u0000");
}

/** Sums rows with the same dimensions. */
export function mergeRows(...lists: Row[][]): Row[] {
  const merged = new Map<string, Row>();
  for (const list of lists) {
    for (const row of list) {
      const key = dimsKey(row);
      const into = merged.get(key);
      if (into) addCounts(into.counts, row.counts);
      else merged.set(key, { ...row, counts: addCounts(emptyCounts(), row.counts) });
    }
  }
  return [...merged.values()];
}

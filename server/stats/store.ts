// The usage store: one small JSON file under the XDG state directory (0600), written only when
// telemetry is enabled, erased by `opencode-lsp stats --erase`. Rows are summed per hour bucket and
// dimensions, so the file grows with the hours of use, not with the number of events. Every server
// process adds what it counted under a lock file; a file that cannot be read is moved aside, never
// overwritten.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import * as z from "zod/mini";
import { addCounts, dimsKey, emptyCounts, type Row } from "./counts.ts";
import { DEFAULT_SEGMENT, hourOf } from "./dims.ts";
import { withFileLock } from "./lock.ts";

export interface UsageData {
  version: 2;
  /** When counting started (or restarted after an erase). */
  since: string;
  updatedAt: string;
  rows: Row[];
}

export class UsageStoreError extends Error {}

export function defaultUsagePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "opencode-lsp", "usage.json");
}

const count = z.optional(z.number().check(z.nonnegative()));
const text = z.string().check(z.minLength(1), z.maxLength(64));
const rowSchema = z.object({
  hour: z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d$/)),
  segment: text,
  region: text,
  provider: text,
  model: text,
  workspace: text,
  counts: z.object({
    sessions: count,
    turns: count,
    tokens: z.optional(z.object({ input: count, output: count, cached: count })),
    tools: z.optional(z.record(z.string(), z.object({ completed: count, failed: count }))),
    edits: z.optional(z.object({ applied: count, accepted: count, rejected: count, reverted: count })),
    errors: z.optional(z.record(z.string(), z.number().check(z.nonnegative()))),
  }),
});
const v2Schema = z.object({ version: z.literal(2), since: z.string(), updatedAt: z.string(), rows: z.array(rowSchema) });
/** The first format (per-provider totals, no hours): read and carried over, so no count is lost. */
const v1Schema = z.object({
  version: z.literal(1),
  since: z.string(),
  updatedAt: z.string(),
  providers: z.record(z.string(), z.object({ sessions: count, turns: count, inputTokens: count, outputTokens: count, cachedTokens: count, toolCalls: count, errors: count })),
});

export class UsageStore {
  readonly path: string;
  /** The store as last read or written by this process, with its rows by key; valid while the file's stat matches. */
  private cache: { key: string; data: UsageData; index?: Map<string, Row> } | undefined;

  constructor(path: string = defaultUsagePath()) {
    this.path = path;
  }

  /** The store, or undefined when there is none. Throws UsageStoreError when it cannot be read. */
  read(): UsageData | undefined {
    const key = statKey(this.path);
    if (key === undefined) return undefined;
    if (this.cache?.key === key) return this.cache.data;
    const data = parseUsage(readFileSync(this.path, "utf8"), this.path);
    this.cache = { key, data };
    return data;
  }

  /**
   * Adds rows to the store (under the lock). A store that cannot be read is moved aside to
   * `usage.json.unreadable-<time>` first; the name is returned so the caller can say so.
   */
  add(rows: Row[], now = new Date()): { movedAside?: string } {
    if (rows.length === 0) return {};
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    return withFileLock(this.path, () => {
      let current: UsageData | undefined;
      let movedAside: string | undefined;
      try {
        current = this.read();
      } catch {
        movedAside = `${this.path}.unreadable-${now.toISOString().replace(/[:.]/g, "-")}`;
        renameSync(this.path, movedAside);
      }
      const at = now.toISOString();
      // Merged into what this process read (or wrote) last: a flush costs one write, not a parse.
      const data: UsageData = current ?? { version: 2, since: at, updatedAt: at, rows: [] };
      const index = (current && this.cache?.index) || new Map(data.rows.map((r) => [dimsKey(r), r]));
      this.cache = undefined; // until the write went through
      data.updatedAt = at;
      for (const row of rows) {
        const into = index.get(dimsKey(row));
        if (into) addCounts(into.counts, row.counts);
        else {
          const copy = { ...row, counts: addCounts(emptyCounts(), row.counts) };
          index.set(dimsKey(row), copy);
          data.rows.push(copy);
        }
      }
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(data)}\n`, { mode: 0o600 });
      renameSync(tmp, this.path);
      const key = statKey(this.path);
      if (key !== undefined) this.cache = { key, data, index };
      return movedAside ? { movedAside } : {};
    });
  }

  /** Removes the store. True when there was one. */
  erase(): boolean {
    let existed = true;
    try {
      statSync(this.path);
    } catch {
      existed = false;
    }
    rmSync(this.path, { force: true });
    this.cache = undefined;
    return existed;
  }
}

function statKey(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return undefined;
  }
}

export function parseUsage(source: string, path = "usage store"): UsageData {
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (error) {
    throw new UsageStoreError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const v2 = z.safeParse(v2Schema, raw);
  if (v2.success) return { ...v2.data, rows: v2.data.rows.map((r) => ({ ...r, counts: addCounts(emptyCounts(), r.counts) })) };
  const v1 = z.safeParse(v1Schema, raw);
  if (v1.success) {
    const hour = hourOf(new Date(Number.isNaN(Date.parse(v1.data.updatedAt)) ? 0 : Date.parse(v1.data.updatedAt)));
    const rows = Object.entries(v1.data.providers).map(([provider, c]): Row => ({
      hour,
      segment: DEFAULT_SEGMENT,
      region: "unknown",
      provider,
      model: "unknown",
      workspace: "unknown",
      counts: addCounts(emptyCounts(), { sessions: c.sessions, turns: c.turns, tokens: { input: c.inputTokens, output: c.outputTokens, cached: c.cachedTokens }, tools: { unknown: { completed: c.toolCalls } }, errors: { unknown: c.errors } }),
    }));
    return { version: 2, since: v1.data.since, updatedAt: v1.data.updatedAt, rows };
  }
  const issue = v2.error.issues[0];
  throw new UsageStoreError(`${path} is not a usage store: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unknown format"}`);
}

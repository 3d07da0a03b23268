// The usage store seen through filters: growth per day (with a 7-day rolling mean), a heatmap of
// hour × weekday (in a time zone) and of region × hour (UTC), a table by segment/provider/model.
// One place for these figures: the terminal `stats`, the page and its JSON all show this view.
import { addCounts, DIMENSIONS, emptyCounts, totalsOf, type Counts, type Dimension, type Row, type Totals } from "./counts.ts";
import type { UsageData } from "./store.ts";

export type Filters = Partial<Record<Dimension, string>>;
export const MEASURES = ["turns", "sessions", "tokens"] as const;
export type Measure = (typeof MEASURES)[number];
export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

export interface ViewOptions {
  filters?: Filters;
  /** The time zone of days and of the hour × weekday heatmap (default: this process's). */
  timeZone?: string;
  /** What the heatmaps count (default turns). */
  measure?: Measure;
}

export interface TableRow extends Totals {
  segment: string;
  provider: string;
  model: string;
}

export interface UsageView {
  since?: string;
  updatedAt?: string;
  timeZone: string;
  measure: Measure;
  filters: Filters;
  /** Every value each filter can take (from the whole store). */
  options: Record<Dimension, string[]>;
  totals: Totals;
  /** One entry per calendar day (in timeZone) from the store's first day to its last. */
  daily: { days: string[]; sessions: number[]; turns: number[]; tokens: number[]; rolling: { sessions: number[]; turns: number[]; tokens: number[] } };
  /** cells[weekday][hour], weekday 0 = Monday, in timeZone. */
  heatmap: { cells: number[][] };
  /** cells[i][hour] for regions[i], hours in UTC (one clock for every region). */
  regions: { names: string[]; cells: number[][] };
  table: TableRow[];
  tools: { tool: string; completed: number; failed: number }[];
  errors: { kind: string; count: number }[];
}

export function measureOf(c: Counts, measure: Measure): number {
  return measure === "tokens" ? c.tokens.input + c.tokens.output : c[measure];
}

export function matches(row: Row, filters: Filters): boolean {
  return DIMENSIONS.every((d) => !filters[d] || row[d] === filters[d]);
}

export function buildView(data: UsageData | undefined, options: ViewOptions = {}): UsageView {
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const clock = localClock(timeZone);
  const measure = options.measure ?? "turns";
  const filters = Object.fromEntries(Object.entries(options.filters ?? {}).filter(([, v]) => v)) as Filters;
  const all = data?.rows ?? [];
  const rows = all.filter((r) => matches(r, filters));

  const sum = emptyCounts();
  const byDay = new Map<string, Counts>();
  const heat = grid(7, 24);
  const regionNames = [...new Set(rows.map((r) => r.region))].sort();
  const regionCells = grid(regionNames.length, 24);
  const groups = new Map<string, { key: Pick<TableRow, "segment" | "provider" | "model">; counts: Counts }>();
  for (const row of rows) {
    addCounts(sum, row.counts);
    const local = clock(row.hour);
    addCounts(getOr(byDay, local.day, emptyCounts), row.counts);
    const value = measureOf(row.counts, measure);
    heat[local.weekday]![local.hour]! += value;
    regionCells[regionNames.indexOf(row.region)]![Number(row.hour.slice(11, 13))]! += value;
    const key = `${row.segment}\u0000${row.provider}\u0000${row.model}`;
    addCounts(getOr(groups, key, () => ({ key: { segment: row.segment, provider: row.provider, model: row.model }, counts: emptyCounts() })).counts, row.counts);
  }

  const allDays = all.map((r) => clock(r.hour).day).sort();
  const days = allDays.length ? dayRange(allDays[0]!, allDays.at(-1)!) : [];
  const series = (m: Measure) => days.map((d) => (byDay.has(d) ? measureOf(byDay.get(d)!, m) : 0));
  const daily = { days, sessions: series("sessions"), turns: series("turns"), tokens: series("tokens") };

  return {
    ...(data ? { since: data.since, updatedAt: data.updatedAt } : {}),
    timeZone,
    measure,
    filters,
    options: Object.fromEntries(DIMENSIONS.map((d) => [d, [...new Set(all.map((r) => r[d]))].sort()])) as Record<Dimension, string[]>,
    totals: totalsOf(sum),
    daily: { ...daily, rolling: { sessions: rolling(daily.sessions), turns: rolling(daily.turns), tokens: rolling(daily.tokens) } },
    heatmap: { cells: heat },
    regions: { names: regionNames, cells: regionCells },
    table: [...groups.values()]
      .map((g) => ({ ...g.key, ...totalsOf(g.counts) }))
      .sort((a, b) => b.turns - a.turns || `${a.segment}/${a.provider}/${a.model}`.localeCompare(`${b.segment}/${b.provider}/${b.model}`)),
    tools: Object.entries(sum.tools)
      .map(([tool, t]) => ({ tool, completed: t.completed ?? 0, failed: t.failed ?? 0 }))
      .sort((a, b) => b.completed + b.failed - (a.completed + a.failed) || a.tool.localeCompare(b.tool)),
    errors: Object.entries(sum.errors)
      .map(([kind, count]) => ({ kind, count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
  };
}

/** The mean of each day and up to six days before it. */
export function rolling(values: number[], window = 7): number[] {
  return values.map((_, i) => {
    const part = values.slice(Math.max(0, i - window + 1), i + 1);
    return Math.round((part.reduce((a, b) => a + b, 0) / part.length) * 100) / 100;
  });
}

/** Every calendar day from `first` to `last` ("YYYY-MM-DD"), inclusive. */
export function dayRange(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** An hour bucket's calendar day, weekday (0 = Monday) and hour in a time zone (cached per hour). */
export function localClock(timeZone: string): (hour: string) => { day: string; weekday: number; hour: number } {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23", weekday: "short" });
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}"`);
  }
  const cache = new Map<string, { day: string; weekday: number; hour: number }>();
  return (hour) =>
    getOr(cache, hour, () => {
      const parts = Object.fromEntries(format.formatToParts(new Date(`${hour}:00:00Z`)).map((p) => [p.type, p.value]));
      return { day: `${parts.year}-${parts.month}-${parts.day}`, weekday: WEEKDAYS.indexOf(parts.weekday as (typeof WEEKDAYS)[number]), hour: Number(parts.hour) };
    });
}

function grid(rows: number, columns: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

// `opencode-lsp stats` in the terminal: the dashboard's figures as sparklines, two heat grids and
// a table — the same UsageView the page shows.
import { WEEKDAYS, type UsageView } from "./aggregate.ts";
import type { Totals } from "./counts.ts";

const BARS = "▁▂▃▄▅▆▇█";
const SHADES = "░▒▓█";

/** One character per value, scaled to the largest; a zero is a space. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (v <= 0 || max === 0 ? " " : BARS[Math.max(0, Math.ceil((v / max) * BARS.length) - 1)])).join("");
}

/** One shade per value, scaled to the largest; a zero is "·". */
export function shades(values: number[], max = Math.max(0, ...values)): string {
  return values.map((v) => (v <= 0 || max === 0 ? "·" : SHADES[Math.max(0, Math.ceil((v / max) * SHADES.length) - 1)])).join("");
}

export function formatView(view: UsageView, options: { days?: number } = {}): string {
  const out: string[] = [];
  out.push(`Usage since ${view.since} (updated ${view.updatedAt}) · days in ${view.timeZone}`);
  const filters = Object.entries(view.filters).map(([k, v]) => `${k}=${v}`);
  if (filters.length) out.push(`Filtered: ${filters.join(" ")}`);

  const keep = Math.min(view.daily.days.length, options.days ?? 30);
  const from = view.daily.days.length - keep;
  if (keep > 0) {
    out.push("", `Per day, ${view.daily.days[from]} → ${view.daily.days.at(-1)}:`);
    for (const m of ["sessions", "turns", "tokens"] as const) {
      const values = view.daily[m].slice(from);
      const total = values.reduce((a, b) => a + b, 0);
      out.push(`  ${m.padEnd(8)}  ${sparkline(values)}  ${total} in ${keep} day${keep === 1 ? "" : "s"}, 7-day mean ${view.daily.rolling[m].at(-1)}`);
    }
  }

  const heatMax = Math.max(0, ...view.heatmap.cells.flat());
  out.push("", `${capital(view.measure)} by hour × weekday (${view.timeZone}):`, `       ${hourRuler()}`);
  view.heatmap.cells.forEach((row, i) => out.push(`  ${WEEKDAYS[i]}  ${shades(row, heatMax)}`));
  if (view.regions.names.length) {
    const width = Math.max(6, ...view.regions.names.map((n) => n.length));
    const regionMax = Math.max(0, ...view.regions.cells.flat());
    out.push("", `${capital(view.measure)} by region × hour (UTC):`, `  ${"".padEnd(width)}  ${hourRuler()}`);
    view.regions.names.forEach((name, i) => out.push(`  ${name.padEnd(width)}  ${shades(view.regions.cells[i]!, regionMax)}`));
  }

  out.push("", ...table(view));
  if (view.tools.length) out.push(`Tools: ${view.tools.map((t) => `${t.tool} ${t.completed + t.failed}${t.failed ? ` (${t.failed} failed)` : ""}`).join(", ")}`);
  if (view.errors.length) out.push(`Errors: ${view.errors.map((e) => `${e.kind} ${e.count}`).join(", ")}`);
  return out.join("\n");
}

/** The table's columns: heading and figure. Shared with the page's table (same order, same words). */
export const COLUMNS: [string, keyof Totals][] = [
  ["SESSIONS", "sessions"],
  ["TURNS", "turns"],
  ["IN TOKENS", "inputTokens"],
  ["OUT TOKENS", "outputTokens"],
  ["CACHED", "cachedTokens"],
  ["TOOL CALLS", "toolCalls"],
  ["EDITS", "editsApplied"],
  ["ACCEPTED", "editsAccepted"],
  ["REJECTED", "editsRejected"],
  ["REVERTED", "editsReverted"],
  ["ERRORS", "errors"],
];

function table(view: UsageView): string[] {
  const header = ["SEGMENT", "PROVIDER", "MODEL", ...COLUMNS.map(([h]) => h)];
  const rows = [...view.table.map((r) => [r.segment, r.provider, r.model, ...COLUMNS.map(([, k]) => String(r[k]))]), ["total", "", "", ...COLUMNS.map(([, k]) => String(view.totals[k]))]];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd());
}

function hourRuler(): string {
  return "0     6     12    18";
}

function capital(word: string): string {
  return word[0]!.toUpperCase() + word.slice(1);
}

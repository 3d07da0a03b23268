// Usage counters (issue 19): what a count costs on the bus, what a flush to the store costs as the
// store grows to a year of hourly rows (against rewriting the same JSON, the floor), what the
// dashboard's view and a Prometheus scrape cost over that year, and that the LSP server's start-up
// code carries none of it.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Bus } from "../server/bus/bus.ts";
import { createTelemetry } from "../server/privacy/telemetry.ts";
import { buildView } from "../server/stats/aggregate.ts";
import { addCounts, emptyCounts, type Row } from "../server/stats/counts.ts";
import { createExposition } from "../server/stats/prometheus.ts";
import { parseUsage, UsageStore } from "../server/stats/store.ts";
import { median, medianTime } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "usage counters: a count, a flush, the dashboard's view, a scrape, start-up";

/** `hours` hourly rows for each of two models, busy ones. */
function rows(hours: number): Row[] {
  const start = Date.parse("2025-03-01T00:00:00Z");
  return Array.from({ length: hours * 2 }, (_, i) => ({
    hour: new Date(start + Math.floor(i / 2) * 3_600_000).toISOString().slice(0, 13),
    segment: i % 4 < 2 ? "enterprise" : "hobbyist",
    region: "europe",
    provider: i % 2 ? "anthropic" : "openai",
    model: i % 2 ? "claude-sonnet-4-5" : "gpt-5",
    workspace: "0123456789ab",
    counts: addCounts(emptyCounts(), { sessions: 1, turns: 3, tokens: { input: 12000, output: 800, cached: 4000 }, tools: { read: { completed: 4 }, edit: { completed: 2, failed: 1 }, bash: { completed: 1 } }, edits: { applied: 2, reverted: 1 }, errors: { rate_limit: 1 } }),
  }));
}

export async function run(): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), "usage-bench-"));
  try {
    // A count: one session update through the bus into the pending counters, against the same publish with no one listening.
    const bus = new Bus();
    const update = { type: "session.update" as const, sessionId: "s", update: { kind: "usage" as const, inputTokens: 100, outputTokens: 10, cachedTokens: 0 } };
    const n = 50_000;
    const bare = medianTime(() => {
      for (let i = 0; i < n; i++) bus.publish(update);
    }, 5);
    const telemetry = await createTelemetry({ enabled: true, usageFile: join(dir, "count.json"), flushDelayMs: 3_600_000 });
    telemetry.observe(bus, () => "anthropic/claude-sonnet-4-5");
    const counted = medianTime(() => {
      for (let i = 0; i < n; i++) bus.publish(update);
    }, 5);
    await telemetry.close();
    out.push({ name: "a usage update counted (bus → pending counters)", value: `${((counted / n) * 1000).toFixed(2)} µs (bare publish ${((bare / n) * 1000).toFixed(2)} µs)` });

    for (const [label, hours] of [["a day", 24], ["a month", 24 * 30], ["a year", 24 * 365]] as const) {
      const path = join(dir, `${hours}.json`);
      const store = new UsageStore(path);
      store.add(rows(hours));
      const kib = statSync(path).size / 1024;
      const oneRow = rows(1);
      const flush = medianTime(() => store.add(oneRow), hours > 1000 ? 10 : 40);
      const rewrite = medianTime(() => JSON.stringify(parseUsage(readFileSync(path, "utf8"))), hours > 1000 ? 10 : 40);
      out.push({ name: `flush to a store of ${label} (${(hours * 2).toLocaleString("en-US")} rows, ${kib.toFixed(0)} KiB)`, value: `${flush.toFixed(2)} ms (${(flush / rewrite).toFixed(2)}x reading + serialising it)` });
      if (hours === 24 * 365) {
        const data = store.read()!;
        const parse = medianTime(() => parseUsage(readFileSync(path, "utf8")), 10);
        const view = medianTime(() => buildView(data, { timeZone: "Europe/Berlin" }), 10);
        out.push({ name: `dashboard view of ${label}`, value: `${view.toFixed(1)} ms (${(view / parse).toFixed(2)}x parsing the store)` });
        const exposition = await createExposition(() => data.rows);
        const text = await exposition.metrics();
        const samples: number[] = [];
        for (let i = 0; i < 10; i++) {
          const start = performance.now();
          await exposition.metrics();
          samples.push(performance.now() - start);
        }
        out.push({ name: `Prometheus scrape of ${label} (${(text.length / 1024).toFixed(0)} KiB of text)`, value: `${median(samples).toFixed(1)} ms (${(median(samples) / parse).toFixed(2)}x parsing the store)` });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  out.push(startupRow());
  return out;
}

/** The bytes the LSP server loads to answer initialize (main.js, the lsp mode's imports, their chunks); none of it is usage code. */
function startupRow(): BenchRow {
  const dist = join(import.meta.dirname, "..", "dist");
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(join(dist, file), "utf8").matchAll(/(?:import|export)\s*(?:[^"'();]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) visit(m[1]!);
  };
  visit("main.js");
  for (const m of readFileSync(join(dist, "main.js"), "utf8").matchAll(/import\(["']\.\/((?:connect|server|version)-[^"']+\.js)["']\)/g)) visit(m[1]!);
  let bytes = 0;
  let usage = 0;
  for (const file of seen) {
    const text = readFileSync(join(dist, file), "utf8");
    bytes += text.length;
    if (/opencode_turns_by_hour_total|OpenCode usage|usage\.json/.test(text)) usage += text.length;
  }
  return { name: "LSP start-up code (main.js + lsp mode chunks)", value: `${(bytes / 1024).toFixed(1)} KiB in ${seen.size} files, of which usage counters/dashboard ${usage} B` };
}

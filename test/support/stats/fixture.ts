// Known usage rows for the stats tests: three hour buckets over four days, two segments, two
// regions, two models. The figures the views must show are worked out by hand beside them.
import { addCounts, emptyCounts, type CountsDelta, type Row } from "../../../server/stats/counts.ts";
import type { UsageData } from "../../../server/stats/store.ts";

function row(hour: string, segment: string, region: string, model: string, counts: CountsDelta): Row {
  const [provider, name] = model.split("/") as [string, string];
  return { hour, segment, region, provider, model: name, workspace: "0123456789ab", counts: addCounts(emptyCounts(), counts) };
}

/**
 * - Mon 2026-03-02 09 UTC (Tokyo: Mon 18), enterprise/europe, anthropic/claude-sonnet-4-5
 * - Mon 2026-03-02 23 UTC (Tokyo: Tue 08), hobbyist/asia, openai/gpt-5
 * - Thu 2026-03-05 14 UTC (Tokyo: Thu 23), enterprise/europe, anthropic/claude-sonnet-4-5
 */
export const FIXTURE_ROWS: Row[] = [
  row("2026-03-02T09", "enterprise", "europe", "anthropic/claude-sonnet-4-5", { sessions: 2, turns: 5, tokens: { input: 1000, output: 100, cached: 400 }, tools: { edit: { completed: 3, failed: 1 } }, edits: { applied: 3, reverted: 1 } }),
  row("2026-03-02T23", "hobbyist", "asia", "openai/gpt-5", { sessions: 1, turns: 2, tokens: { input: 500, output: 50 }, errors: { rate_limit: 1 } }),
  row("2026-03-05T14", "enterprise", "europe", "anthropic/claude-sonnet-4-5", { sessions: 1, turns: 1, tokens: { input: 200, output: 20 }, tools: { read: { completed: 2 } }, edits: { accepted: 1 } }),
];

export const FIXTURE: UsageData = { version: 2, since: "2026-03-02T09:12:00.000Z", updatedAt: "2026-03-05T14:40:00.000Z", rows: FIXTURE_ROWS };

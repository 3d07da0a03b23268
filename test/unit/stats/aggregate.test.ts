// The usage view: per-day growth with gaps filled and a 7-day rolling mean, the two heatmaps, the
// table, filters — checked against the fixture's figures worked out by hand.
import { describe, expect, it } from "vitest";
import { buildView, dayRange, localClock, rolling } from "../../../server/stats/aggregate.ts";
import { FIXTURE } from "../../support/stats/fixture.ts";

describe("usage view", () => {
  it("days and the hour × weekday heatmap follow the time zone; regions stay in UTC", () => {
    const tokyo = buildView(FIXTURE, { timeZone: "Asia/Tokyo" });
    expect(tokyo.daily.days).toEqual(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
    expect(tokyo.daily.sessions).toEqual([2, 1, 0, 1]);
    expect(tokyo.daily.turns).toEqual([5, 2, 0, 1]);
    expect(tokyo.daily.tokens).toEqual([1100, 550, 0, 220]);
    expect(tokyo.daily.rolling.turns).toEqual([5, 3.5, 2.33, 2]);
    const nonZero = (cells: number[][]) => cells.flatMap((row, r) => row.flatMap((v, h) => (v ? [[r, h, v]] : [])));
    expect(nonZero(tokyo.heatmap.cells)).toEqual([[0, 18, 5], [1, 8, 2], [3, 23, 1]]); // Mon 18, Tue 08, Thu 23
    expect(tokyo.regions.names).toEqual(["asia", "europe"]);
    expect(nonZero(tokyo.regions.cells)).toEqual([[0, 23, 2], [1, 9, 5], [1, 14, 1]]);

    const utc = buildView(FIXTURE, { timeZone: "UTC" });
    expect(utc.daily.turns).toEqual([7, 0, 0, 1]);
    expect(nonZero(utc.heatmap.cells)).toEqual([[0, 9, 5], [0, 23, 2], [3, 14, 1]]);
    expect(utc.regions).toEqual(tokyo.regions);
  });

  it("totals, the table and the tool and error lists hold the same numbers", () => {
    const view = buildView(FIXTURE, { timeZone: "UTC" });
    expect(view.totals).toEqual({ sessions: 4, turns: 8, inputTokens: 1700, outputTokens: 170, cachedTokens: 400, toolCalls: 6, toolFailures: 1, editsApplied: 3, editsAccepted: 1, editsRejected: 0, editsReverted: 1, errors: 1 });
    expect(view.table.map((r) => [r.segment, r.provider, r.model, r.sessions, r.turns, r.inputTokens])).toEqual([
      ["enterprise", "anthropic", "claude-sonnet-4-5", 3, 6, 1200],
      ["hobbyist", "openai", "gpt-5", 1, 2, 500],
    ]);
    expect(view.tools).toEqual([{ tool: "edit", completed: 3, failed: 1 }, { tool: "read", completed: 2, failed: 0 }]);
    expect(view.errors).toEqual([{ kind: "rate_limit", count: 1 }]);
    expect(view.options).toEqual({ segment: ["enterprise", "hobbyist"], region: ["asia", "europe"], provider: ["anthropic", "openai"], model: ["claude-sonnet-4-5", "gpt-5"], workspace: ["0123456789ab"] });
  });

  it("filters keep only matching rows; the day axis and the options stay those of the whole store", () => {
    const enterprise = buildView(FIXTURE, { timeZone: "UTC", filters: { segment: "enterprise" } });
    expect(enterprise.totals.sessions).toBe(3);
    expect(enterprise.totals.turns).toBe(6);
    expect(enterprise.daily.days).toHaveLength(4);
    expect(enterprise.daily.turns).toEqual([5, 0, 0, 1]);
    expect(enterprise.regions.names).toEqual(["europe"]);
    expect(enterprise.options.segment).toEqual(["enterprise", "hobbyist"]);
    expect(buildView(FIXTURE, { filters: { region: "asia", model: "gpt-5" } }).totals.turns).toBe(2);
    expect(buildView(FIXTURE, { filters: { region: "asia", provider: "anthropic" } }).totals.turns).toBe(0);
    expect(buildView(FIXTURE, { filters: { segment: "" } }).filters).toEqual({});
  });

  it("the heatmaps count the chosen measure", () => {
    const tokens = buildView(FIXTURE, { timeZone: "UTC", measure: "tokens" });
    expect(tokens.heatmap.cells[0]![9]).toBe(1100);
    expect(buildView(FIXTURE, { timeZone: "UTC", measure: "sessions" }).heatmap.cells[0]![9]).toBe(2);
  });

  it("an empty store is an empty view; an unknown time zone is a clear error", () => {
    const empty = buildView(undefined);
    expect(empty.since).toBeUndefined();
    expect(empty.daily.days).toEqual([]);
    expect(empty.totals.turns).toBe(0);
    expect(() => buildView(FIXTURE, { timeZone: "Mars/Olympus" })).toThrow('unknown time zone "Mars/Olympus"');
  });

  it("helpers: rolling mean, day ranges over month ends, local clock across DST", () => {
    expect(rolling([7, 0, 0, 0, 0, 0, 0, 7])).toEqual([7, 3.5, 2.33, 1.75, 1.4, 1.17, 1, 1]);
    expect(dayRange("2026-02-27", "2026-03-02")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
    const berlin = localClock("Europe/Berlin");
    expect(berlin("2026-03-29T00")).toEqual({ day: "2026-03-29", weekday: 6, hour: 1 }); // CET
    expect(berlin("2026-03-29T01")).toEqual({ day: "2026-03-29", weekday: 6, hour: 3 }); // CEST from 01:00 UTC
  });
});

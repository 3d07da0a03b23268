// `opencode-lsp stats` in the terminal: sparklines and heat grids scaled to the largest value, and
// the fixture's figures in the table, the same as the page's.
import { describe, expect, it } from "vitest";
import { buildView } from "../../../server/stats/aggregate.ts";
import { formatView, shades, sparkline } from "../../../server/stats/terminal.ts";
import { FIXTURE } from "../../support/stats/fixture.ts";

describe("terminal stats", () => {
  it("sparklines and shades: scaled to the largest value, zero shown as nothing", () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(" ▁▂▄█");
    expect(sparkline([0, 0])).toBe("  ");
    expect(shades([0, 1, 2, 3, 4])).toBe("·░▒▓█");
    expect(shades([1], 4)).toBe("░");
  });

  it("the fixture as sparklines, heat grids in the time zone, and the table with totals", () => {
    const text = formatView(buildView(FIXTURE, { timeZone: "Asia/Tokyo" }));
    const lines = text.split("\n");
    expect(lines[0]).toBe("Usage since 2026-03-02T09:12:00.000Z (updated 2026-03-05T14:40:00.000Z) · days in Asia/Tokyo");
    expect(lines).toContain("  turns     █▄ ▂  8 in 4 days, 7-day mean 2");
    expect(lines).toContain("  tokens    █▄ ▂  1870 in 4 days, 7-day mean 467.5");
    expect(lines).toContain(`  Mon  ${"·".repeat(18)}█${"·".repeat(5)}`);
    expect(lines).toContain(`  Thu  ${"·".repeat(23)}░`);
    expect(lines).toContain(`  europe  ${"·".repeat(9)}█····░${"·".repeat(9)}`);
    expect(lines.find((l) => l.startsWith("enterprise"))!.split(/\s+/)).toEqual(["enterprise", "anthropic", "claude-sonnet-4-5", "3", "6", "1200", "120", "400", "6", "3", "1", "0", "1", "0"]);
    expect(lines.find((l) => l.startsWith("total"))!.split(/\s+/)).toEqual(["total", "4", "8", "1700", "170", "400", "6", "3", "1", "0", "1", "1"]);
    expect(lines).toContain("Tools: edit 4 (1 failed), read 2");
    expect(lines).toContain("Errors: rate_limit 1");
  });

  it("filters are named, and --days keeps the last days", () => {
    const text = formatView(buildView(FIXTURE, { timeZone: "UTC", filters: { segment: "hobbyist" } }), { days: 2 });
    expect(text).toContain("Filtered: segment=hobbyist");
    expect(text).toContain("Per day, 2026-03-04 → 2026-03-05:");
    expect(text).toContain("  sessions      0 in 2 days, 7-day mean 0.25"); // two days of nothing: blank sparkline
    expect(text).not.toContain("enterprise");
  });
});

// The usage store: rows merge by hour and dimensions, several processes adding at once lose
// nothing (the lock), the first format is carried over, an unreadable file is never overwritten.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildView } from "../../../server/stats/aggregate.ts";
import { UsageStore, UsageStoreError } from "../../../server/stats/store.ts";
import { FIXTURE_ROWS } from "../../support/stats/fixture.ts";

const fresh = () => join(mkdtempSync(join(tmpdir(), "usage-store-")), "state", "usage.json");

describe("usage store", () => {
  it("adds rows, summing those with the same hour and dimensions; the file is 0600", () => {
    const store = new UsageStore(fresh());
    expect(store.read()).toBeUndefined();
    store.add(FIXTURE_ROWS, new Date("2026-03-02T09:12:00Z"));
    store.add([FIXTURE_ROWS[0]!], new Date("2026-03-06T10:00:00Z"));
    const data = store.read()!;
    expect(data.since).toBe("2026-03-02T09:12:00.000Z");
    expect(data.updatedAt).toBe("2026-03-06T10:00:00.000Z");
    expect(data.rows).toHaveLength(3);
    expect(data.rows[0]!.counts.turns).toBe(10);
    expect(data.rows[0]!.counts.tools.edit).toEqual({ completed: 6, failed: 2 });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(store.erase()).toBe(true);
    expect(existsSync(store.path)).toBe(false);
    expect(store.erase()).toBe(false);
  });

  it("a store that another process changed is read again before adding to it", () => {
    const path = fresh();
    const mine = new UsageStore(path);
    const theirs = new UsageStore(path);
    mine.add([FIXTURE_ROWS[0]!]);
    theirs.add([FIXTURE_ROWS[0]!, FIXTURE_ROWS[1]!]);
    mine.add([FIXTURE_ROWS[0]!]);
    expect(buildView(new UsageStore(path).read()).totals.turns).toBe(5 * 3 + 2);
    expect(mine.read()).toEqual(new UsageStore(path).read());
  });

  it("four processes adding at once: every count arrives", async () => {
    const path = fresh();
    const storeUrl = new URL("../../../server/stats/store.ts", import.meta.url).href;
    const script = `
      const { UsageStore } = await import(${JSON.stringify(storeUrl)});
      const store = new UsageStore(${JSON.stringify(path)});
      for (let i = 0; i < 25; i++) store.add([{ hour: "2026-03-02T09", segment: "s", region: "r", provider: "p", model: "m", workspace: "w", counts: { sessions: 1, turns: 2, tokens: { input: 3, output: 0, cached: 0 }, tools: {}, edits: { applied: 0, accepted: 0, rejected: 0, reverted: 0 }, errors: {} } }]);`;
    const runs = Array.from({ length: 4 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" }).on("exit", resolve)));
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
    const totals = buildView(new UsageStore(path).read()).totals;
    expect([totals.sessions, totals.turns, totals.inputTokens]).toEqual([100, 200, 300]);
    expect(readdirSync(join(path, ".."))).toEqual(["usage.json"]); // no lock or temporary file left
  }, 60_000);

  it("a store of the first format (per-provider totals) is carried over, every count kept", () => {
    const path = fresh();
    new UsageStore(path).add([]); // nothing to add: nothing written
    expect(existsSync(path)).toBe(false);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, JSON.stringify({ version: 1, since: "2026-01-01T00:00:00.000Z", updatedAt: "2026-02-01T10:30:00.000Z", providers: { anthropic: { sessions: 2, turns: 3, inputTokens: 900, outputTokens: 12, cachedTokens: 300, toolCalls: 4, errors: 1 } } }));
    const store = new UsageStore(path);
    const view = buildView(store.read(), { timeZone: "UTC" });
    expect(view.since).toBe("2026-01-01T00:00:00.000Z");
    expect(view.totals).toMatchObject({ sessions: 2, turns: 3, inputTokens: 900, outputTokens: 12, cachedTokens: 300, toolCalls: 4, errors: 1 });
    expect(view.daily.days).toEqual(["2026-02-01"]);
    store.add([FIXTURE_ROWS[1]!]);
    expect(JSON.parse(readFileSync(path, "utf8")).version).toBe(2);
    expect(buildView(store.read()).totals.sessions).toBe(3);
  });

  it("an unreadable store is an error when read, and moved aside (not overwritten) when added to", () => {
    const path = fresh();
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, '{"version": 2, "rows": "nope"');
    const store = new UsageStore(path);
    expect(() => store.read()).toThrow(UsageStoreError);
    expect(() => store.read()).toThrow(/is not JSON/);
    writeFileSync(path, JSON.stringify({ version: 2, since: "x", updatedAt: "x", rows: [{ hour: "yesterday" }] }));
    expect(() => store.read()).toThrow(/rows\.0\.hour/);
    const { movedAside } = store.add([FIXTURE_ROWS[0]!]);
    expect(movedAside).toMatch(/usage\.json\.unreadable-/);
    expect(readFileSync(movedAside!, "utf8")).toContain("yesterday");
    expect(store.read()!.rows).toHaveLength(1);
  });
});

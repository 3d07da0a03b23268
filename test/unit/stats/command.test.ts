// `opencode-lsp stats` flags: off shows and serves nothing, --erase always works, filters and
// --json, an unreadable store is a clear error that leaves the file alone, bad flags exit 2.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { statsCommand } from "../../../server/stats/command.ts";
import { UsageStore } from "../../../server/stats/store.ts";
import { FIXTURE_ROWS } from "../../support/stats/fixture.ts";

function setup(rows = FIXTURE_ROWS) {
  const usageFile = join(mkdtempSync(join(tmpdir(), "stats-cmd-")), "usage.json");
  if (rows.length) new UsageStore(usageFile).add(rows, new Date("2026-03-02T09:12:00Z"));
  const out: string[] = [];
  const err: string[] = [];
  const run = (args: string[], enabled = true) => statsCommand(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), enabled, usageFile, timeZone: "UTC", until: async () => {} });
  return { usageFile, out, err, run };
}

describe("stats command", () => {
  it("off: nothing shown or served, a store from before is pointed out", async () => {
    const { out, err, run, usageFile } = setup();
    expect(await run([], false)).toBe(0);
    expect(out.at(-1)).toMatch(/^Telemetry is off .*nothing is counted, kept or served\. A usage store from before is at .*usage\.json; `opencode-lsp stats --erase` removes it\./);
    expect(await run(["--json"], false)).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toEqual({ enabled: false, file: usageFile });
    expect(await run(["--serve", "--port", "0"], false)).toBe(1);
    expect(err.at(-1)).toMatch(/Telemetry is off/);
  });

  it("--erase removes the store, also with telemetry off", async () => {
    const { out, run, usageFile } = setup();
    expect(await run(["--erase"], false)).toBe(0);
    expect(out.at(-1)).toBe(`Erased the usage store (${usageFile}).\n`);
    expect(existsSync(usageFile)).toBe(false);
    expect(await run(["--erase"])).toBe(0);
    expect(out.at(-1)).toBe(`No usage store at ${usageFile}.\n`);
  });

  it("--json with filters: the view of the matching rows", async () => {
    const { out, run } = setup();
    expect(await run(["--json", "--segment", "enterprise", "--measure", "tokens"])).toBe(0);
    const view = JSON.parse(out.at(-1)!);
    expect(view).toMatchObject({ enabled: true, filters: { segment: "enterprise" }, measure: "tokens", totals: { sessions: 3, turns: 6 } });
    expect(await run(["--region", "asia"])).toBe(0);
    expect(out.at(-1)).toMatch(/hobbyist\s+openai\s+gpt-5\s+1\s+2\s+500/);
  });

  it("an empty store says so; an unreadable one is an error naming it, and stays as it was", async () => {
    const empty = setup([]);
    expect(await empty.run([])).toBe(0);
    expect(empty.out.at(-1)).toMatch(/^No usage counted yet \(.*usage\.json\)\./);
    mkdirSync(join(empty.usageFile, ".."), { recursive: true });
    writeFileSync(empty.usageFile, "not json");
    expect(await empty.run([])).toBe(1);
    expect(empty.err.at(-1)).toMatch(/^opencode-lsp stats: .*usage\.json is not JSON/);
    expect(readFileSync(empty.usageFile, "utf8")).toBe("not json");
  });

  it("bad flags: exit 2 with the reason", async () => {
    const { err, run } = setup();
    for (const [args, reason] of [
      [["--bogus"], /Unknown option '--bogus'/],
      [["extra"], /Unexpected argument 'extra'/],
      [["--port", "80"], /--port goes with --serve/],
      [["--serve", "--port", "http"], /--port takes a port number, got "http"/],
      [["--days", "0"], /--days takes a positive number/],
      [["--measure", "money"], /--measure must be one of turns, sessions, tokens/],
      [["--erase", "--json"], /--erase takes no other flag/],
    ] as [string[], RegExp][]) {
      expect(await run(args), args.join(" ")).toBe(2);
      expect(err.at(-1)).toMatch(reason);
    }
    const { out, run: run2 } = setup();
    expect(await run2(["--help"])).toBe(0);
    expect(out.at(-1)).toMatch(/^Usage: opencode-lsp stats/);
  });

  it("--serve: the page and the JSON on 127.0.0.1 until told to stop", async () => {
    const usageFile = join(mkdtempSync(join(tmpdir(), "stats-cmd-")), "usage.json");
    new UsageStore(usageFile).add(FIXTURE_ROWS);
    const err: string[] = [];
    let seen: { status: number; body: any } | undefined;
    const code = await statsCommand(["--serve", "--port", "0"], {
      stdout: () => {},
      stderr: (t) => err.push(t),
      enabled: true,
      usageFile,
      until: async (url) => {
        const response = await fetch(`${url}api/usage?segment=hobbyist&tz=UTC`);
        seen = { status: response.status, body: await response.json() };
        expect((await fetch(`${url}api/usage?tz=Nowhere/Else`)).status).toBe(400);
        expect((await fetch(`${url}api/usage?measure=money`)).status).toBe(400);
        expect((await fetch(`${url}nothing-here`)).status).toBe(404);
        expect((await fetch(`${url}`, { method: "POST" })).status).toBe(405);
        expect((await fetch(`${url}uplot.js`)).headers.get("content-type")).toMatch(/javascript/);
      },
    });
    expect(code).toBe(0);
    expect(err[0]).toMatch(/^opencode-lsp usage dashboard on http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C to stop\)/);
    expect(seen!.status).toBe(200);
    expect(seen!.body.view.totals).toMatchObject({ sessions: 1, turns: 2 });
    expect(seen!.body.columns[0]).toEqual({ heading: "Sessions", key: "sessions" });
  });
});

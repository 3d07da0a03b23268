// The usage dashboard (`opencode-lsp stats --serve`, the built CLI) in a real headless Chromium
// (Debian's, driven by playwright-core) in the Asia/Tokyo time zone, over the known fixture store:
// every chart shows the fixture's figures (read from the DOM: uPlot's legend under the cursor, the
// heatmaps' cells, the tables), the filters change them, and no request leaves 127.0.0.1 (every
// request is intercepted; anything else would be aborted). A screenshot is kept in
// .cache/artifacts/stats-dashboard.png.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, haveChromium, launchChromium } from "../../support/chromium.ts";
import { UsageStore } from "../../../server/stats/store.ts";
import { isolatedEnv, REPO_ROOT, SERVER_BIN } from "../../support/lsp-client.ts";
import { FIXTURE_ROWS } from "../../support/stats/fixture.ts";

if (!haveChromium) console.warn(`stats dashboard tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
const ARTIFACTS = join(REPO_ROOT, ".cache", "artifacts");

describe.skipIf(!haveChromium)("usage dashboard in Chromium", () => {
  let browser: Browser;
  let cli: ChildProcess;
  let origin: string;
  let store: UsageStore;

  beforeAll(async () => {
    const env = isolatedEnv();
    mkdirSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp"), { recursive: true });
    writeFileSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp", "config.json"), JSON.stringify({ telemetry: { enabled: true } }));
    store = new UsageStore(join(env.XDG_STATE_HOME!, "opencode-lsp", "usage.json"));
    store.add(FIXTURE_ROWS, new Date("2026-03-02T09:12:00Z"));
    cli = spawn(process.execPath, [SERVER_BIN, "stats", "--serve", "--port", "0"], { cwd: mkdtempSync(join(tmpdir(), "stats-serve-")), env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    origin = await new Promise<string>((resolve, reject) => {
      cli.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stderr);
        if (m) resolve(m[1]!);
      });
      cli.once("exit", (code) => reject(new Error(`stats --serve exited ${code}: ${stderr}`)));
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (cli && cli.exitCode === null) {
      const exited = new Promise((r) => cli.once("exit", r));
      cli.kill("SIGTERM");
      await exited;
    }
  });

  interface Opened {
    page: Page;
    requests: string[];
    aborted: string[];
    errors: string[];
  }

  async function open(path = "/"): Promise<Opened> {
    const context = await browser.newContext({ timezoneId: "Asia/Tokyo", viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const aborted: string[] = [];
    const errors: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      requests.push(url);
      if (new URL(url).origin === origin) return route.continue();
      aborted.push(url);
      return route.abort();
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`console: ${m.text()}`);
    });
    await page.goto(origin + path);
    await settled(page);
    return { page, requests, aborted, errors };
  }
  // A function, not a string: the page's CSP forbids eval, which a polled string predicate needs.
  const settled = (page: Page) => page.waitForFunction(() => (globalThis as any).document.body.dataset.state !== "loading", undefined, { timeout: 15_000 });
  const js = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
  const totals = (page: Page) => js<Record<string, string>>(page, "Object.fromEntries(Array.from(document.querySelectorAll('[data-total]'), o => [o.dataset.total, o.textContent]))");
  /** The non-empty cells of a heatmap: "row hour value". */
  const cells = (page: Page, id: string) => js<string[]>(page, `Array.from(document.querySelectorAll('#${id} rect'), r => r.dataset.value !== '0' ? r.dataset.row + ' ' + r.dataset.hour + ' ' + r.dataset.value : '').filter(Boolean)`);
  const tableRows = (page: Page) => js<string[][]>(page, "Array.from(document.querySelectorAll('#usage-table tbody tr, #usage-table tfoot tr'), tr => Array.from(tr.cells, td => td.textContent))");

  /** Hovers day `i` of `n` on a uPlot chart and reads its legend: label → value. */
  async function legendAt(page: Page, chart: string, i: number, n: number): Promise<Record<string, string>> {
    const box = (await page.locator(`#${chart} .u-over`).boundingBox())!;
    await page.mouse.move(box.x + Math.min(box.width - 1, (box.width * i) / (n - 1)), box.y + box.height / 2);
    return js(page, `Object.fromEntries(Array.from(document.querySelectorAll('#${chart} .u-legend .u-series'), s => [s.querySelector('.u-label').textContent, s.querySelector('.u-value').textContent]))`);
  }

  it("every chart shows the fixture's figures; nothing is fetched from anywhere but 127.0.0.1", async () => {
    const { page, requests, aborted, errors } = await open();
    expect(await js(page, "document.body.dataset.state")).toBe("ok");
    expect(await js(page, "document.querySelector('#meta').textContent")).toContain("days and weekdays in Asia/Tokyo");
    expect(await totals(page)).toEqual({ sessions: "4", turns: "8", inputTokens: "1700", outputTokens: "170", toolCalls: "6", editsApplied: "3", editsReverted: "1", errors: "1" });

    // Growth: four days in Tokyo (2026-03-02 … 03-05), per day and the 7-day mean.
    expect(await js(page, "document.querySelectorAll('canvas').length")).toBe(2);
    const activity = [];
    for (const i of [0, 1, 2, 3]) activity.push(await legendAt(page, "growth-activity", i, 4));
    expect(activity.map((l) => l.day)).toEqual(["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
    expect(activity.map((l) => l.sessions)).toEqual(["2", "1", "0", "1"]);
    expect(activity.map((l) => l.turns)).toEqual(["5", "2", "0", "1"]);
    expect(activity.map((l) => l["turns, 7-day mean"])).toEqual(["5", "3.5", "2.33", "2"]);
    const tokens = [];
    for (const i of [0, 1, 2, 3]) tokens.push(await legendAt(page, "growth-tokens", i, 4));
    expect(tokens.map((l) => l.tokens)).toEqual(["1100", "550", "0", "220"]);
    expect(tokens.map((l) => l["tokens, 7-day mean"])).toEqual(["1100", "825", "550", "467.5"]);

    // Heatmaps: hour × weekday in Tokyo; region × hour in UTC.
    expect(await cells(page, "heat-week")).toEqual(["Mon 18 5", "Tue 8 2", "Thu 23 1"]);
    expect(await js(page, "document.querySelectorAll('#heat-week rect').length")).toBe(7 * 24);
    expect(await js(page, "document.querySelector('#heat-week rect[data-row=Mon][data-hour=\"18\"] title').textContent")).toBe("Mon 18:00 — 5 turns");
    expect(await cells(page, "heat-region")).toEqual(["asia 23 2", "europe 9 5", "europe 14 1"]);

    // The table: the same numbers.
    expect(await tableRows(page)).toEqual([
      ["enterprise", "anthropic", "claude-sonnet-4-5", "3", "6", "1200", "120", "400", "6", "3", "1", "0", "1", "0"],
      ["hobbyist", "openai", "gpt-5", "1", "2", "500", "50", "0", "0", "0", "0", "0", "0", "1"],
      ["total", "", "", "4", "8", "1700", "170", "400", "6", "3", "1", "0", "1", "1"],
    ]);
    expect(await js(page, "Array.from(document.querySelectorAll('#tools-table tbody tr'), tr => tr.textContent)")).toEqual(["edit31", "read20"]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "stats-dashboard.png"), fullPage: true });

    expect(aborted).toEqual([]);
    expect(requests.every((u) => new URL(u).origin === origin)).toBe(true);
    expect(requests.map((u) => new URL(u).pathname)).toEqual(expect.arrayContaining(["/", "/uplot.js", "/uplot.css", "/dashboard.js", "/dashboard.css", "/api/usage"]));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("the filters change the numbers: segment, then the heatmaps' measure, then provider", async () => {
    const { page, aborted, errors } = await open();
    expect(await js(page, "Array.from(document.querySelectorAll('#f-segment option'), o => o.value)")).toEqual(["", "enterprise", "hobbyist"]);
    await page.selectOption("#f-segment", "enterprise");
    await settled(page);
    expect(await totals(page)).toMatchObject({ sessions: "3", turns: "6", inputTokens: "1200", errors: "0" });
    expect(await cells(page, "heat-week")).toEqual(["Mon 18 5", "Thu 23 1"]);
    expect(await cells(page, "heat-region")).toEqual(["europe 9 5", "europe 14 1"]);
    expect((await tableRows(page)).map((r) => r.slice(0, 5))).toEqual([["enterprise", "anthropic", "claude-sonnet-4-5", "3", "6"], ["total", "", "", "3", "6"]]);
    expect((await legendAt(page, "growth-activity", 1, 4)).sessions).toBe("0");
    expect(await js(page, "location.search")).toBe("?segment=enterprise");

    await page.selectOption("#f-measure", "tokens");
    await settled(page);
    expect(await cells(page, "heat-week")).toEqual(["Mon 18 1100", "Thu 23 220"]);
    expect(await js(page, "document.querySelector('#heat-week-title').textContent")).toBe("Tokens by hour and weekday (Asia/Tokyo)");

    await page.selectOption("#f-provider", "openai");
    await settled(page);
    expect(await totals(page)).toMatchObject({ sessions: "0", turns: "0" });
    expect(await cells(page, "heat-week")).toEqual([]);
    expect(await tableRows(page)).toEqual([["total", "", "", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"]]);
    expect(aborted).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();

    // A bookmarked view opens with its filters.
    const bookmarked = await open("/?region=asia");
    expect(await js(bookmarked.page, "document.querySelector('#f-region').value")).toBe("asia");
    expect(await totals(bookmarked.page)).toMatchObject({ sessions: "1", turns: "2" });
    await bookmarked.page.context().close();
  });

  it("a store that cannot be read shows the reason; an erased one shows that nothing was counted", async () => {
    writeFileSync(store.path, "{ broken");
    const broken = await open();
    expect(await js(broken.page, "document.body.dataset.state")).toBe("error");
    expect(await js(broken.page, "document.querySelector('#problem').textContent")).toMatch(/^Could not load the usage figures: .*usage\.json is not JSON/);
    await broken.page.context().close();
    store.erase();
    const empty = await open();
    expect(await js(empty.page, "document.body.dataset.state")).toBe("empty");
    expect(await js(empty.page, "document.querySelector('#meta').textContent")).toBe("No usage counted yet.");
    expect(empty.errors).toEqual([]);
    await empty.page.context().close();
  });
});

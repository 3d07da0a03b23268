// A team's machines in one Prometheus, as docs/usage-dashboard.md tells it: two "machines" (the built
// `opencode-lsp stats --serve`, each over its own store), each scraped by a Prometheus in agent mode
// running the doc's agent.yml as written (URL, port, machine name and interval replaced), remote-
// writing to a "team" Prometheus. The team's Prometheus then holds both machines' counters, and
// every query of the Grafana dashboard (docs/grafana/opencode-usage.json) evaluates there.
// Needs Debian's prometheus (apt-get install prometheus); skipped without it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Row } from "../../../server/stats/counts.ts";
import { UsageStore } from "../../../server/stats/store.ts";
import { freePort } from "../../support/listening.ts";
import { isolatedEnv, REPO_ROOT, SERVER_BIN } from "../../support/lsp-client.ts";
import { FIXTURE_ROWS } from "../../support/stats/fixture.ts";

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? "/usr/bin/prometheus";
const havePrometheus = existsSync(PROMETHEUS) && spawnSync(PROMETHEUS, ["--version"]).status === 0;
if (!havePrometheus) console.warn(`team Prometheus test skipped: no Prometheus at ${PROMETHEUS} (apt-get install prometheus)`);

const children: { name: string; child: ChildProcess; log: string[] }[] = [];

function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; log: string[] } {
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  child.stdout!.on("data", (c: Buffer) => log.push(c.toString()));
  child.stderr!.on("data", (c: Buffer) => log.push(c.toString()));
  children.push({ name, child, log });
  return { child, log };
}

/** A machine: its own store, served by the built CLI on a port of its own. */
async function machine(rows: Row[]): Promise<number> {
  const env = isolatedEnv();
  mkdirSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp"), { recursive: true });
  writeFileSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp", "config.json"), JSON.stringify({ telemetry: { enabled: true } }));
  new UsageStore(join(env.XDG_STATE_HOME!, "opencode-lsp", "usage.json")).add(rows);
  const port = await freePort();
  const { log } = start("stats --serve", process.execPath, [SERVER_BIN, "stats", "--serve", "--port", String(port)], env);
  await waitFor(async () => log.join("").includes("dashboard on"), "stats --serve");
  return port;
}

/** The doc's agent.yml, as written but for where it scrapes and writes and how often. */
function agentConfig(target: number, machineName: string, writeUrl: string): string {
  const doc = readFileSync(join(REPO_ROOT, "docs", "usage-dashboard.md"), "utf8");
  const block = /<!-- agent\.yml:[^\n]*-->\n```yaml\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error("docs/usage-dashboard.md has no agent.yml block");
  const replaced = block[1]!
    .replace("127.0.0.1:9464", `127.0.0.1:${target}`)
    .replace("ann-laptop", machineName)
    .replace("https://prometheus.example.com/api/v1/write", writeUrl)
    .replace("scrape_interval: 60s", "scrape_interval: 1s");
  return `${replaced}    queue_config: { batch_send_deadline: 1s }\n`;
}

async function waitFor(test: () => Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} not ready in time:\n${children.map((c) => `--- ${c.name}\n${c.log.join("").slice(-1500)}`).join("\n")}`);
}

describe.skipIf(!havePrometheus)("a team's machines in one Prometheus", () => {
  let team: string;

  const query = async (expr: string) => {
    const response = await fetch(`${team}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await response.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "prom-team-"));
    const teamPort = await freePort();
    team = `http://127.0.0.1:${teamPort}`;
    writeFileSync(join(dir, "team.yml"), "global:\n  scrape_interval: 15s\n");
    start("team prometheus", PROMETHEUS, [`--config.file=${join(dir, "team.yml")}`, `--storage.tsdb.path=${join(dir, "team-data")}`, `--web.listen-address=127.0.0.1:${teamPort}`, "--web.enable-remote-write-receiver"]);
    const enterprise = await machine(FIXTURE_ROWS.filter((r) => r.segment === "enterprise"));
    const hobbyist = await machine(FIXTURE_ROWS.filter((r) => r.segment === "hobbyist"));
    await waitFor(async () => (await fetch(`${team}/-/ready`)).ok, "the team Prometheus");
    for (const [name, port] of [["ann-laptop", enterprise], ["bob-desktop", hobbyist]] as const) {
      writeFileSync(join(dir, `${name}.yml`), agentConfig(port, name, `${team}/api/v1/write`));
      start(`agent ${name}`, PROMETHEUS, ["--enable-feature=agent", `--config.file=${join(dir, `${name}.yml`)}`, `--storage.agent.path=${join(dir, `${name}-wal`)}`, `--web.listen-address=127.0.0.1:${await freePort()}`]);
    }
    await waitFor(async () => (await query("count(count by (machine) (opencode_sessions_total))")).data.result[0]?.value[1] === "2", "both machines' counters in the team Prometheus");
  }, 90_000);

  afterAll(async () => {
    for (const { child } of children.reverse()) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  });

  it("holds every machine's counters, by machine, segment and region", async () => {
    const sessions = await query("sum by (machine, segment, region) (opencode_sessions_total)");
    expect(sessions.data.result.map((r) => [r.metric.machine, r.metric.segment, r.metric.region, r.value[1]]).sort()).toEqual([
      ["ann-laptop", "enterprise", "europe", "3"],
      ["bob-desktop", "hobbyist", "asia", "1"],
    ]);
    expect((await query("sum(opencode_turns_total)")).data.result[0]!.value[1]).toBe("8");
    const heat = await query('sum by (weekday, hour) (opencode_turns_by_hour_total{segment=~".*"})');
    expect(heat.data.result.map((r) => `${r.metric.weekday} ${r.metric.hour} ${r.value[1]}`).sort()).toEqual(["1-mon 09 5", "1-mon 23 2", "4-thu 14 1"]);
    const segments = (await (await fetch(`${team}/api/v1/label/segment/values?match[]=opencode_sessions_total`)).json()) as { data: string[] };
    expect(segments.data).toEqual(["enterprise", "hobbyist"]);
  });

  it("every query of the Grafana dashboard evaluates", async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, "docs", "grafana", "opencode-usage.json"), "utf8"));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    for (const v of dashboard.templating.list.filter((x: { type: string }) => x.type === "query")) {
      const m = /^label_values\((.+), (\w+)\)$/.exec(v.query.query)!;
      exprs.push(`count by (${m[2]}) (${m[1]})`);
    }
    for (const expr of exprs) {
      const ready = expr.replace(/\$(segment|region|provider|model)/g, ".*").replace(/\$__range/g, "1h");
      const result = await query(ready);
      expect(result, expr).toMatchObject({ status: "success" });
    }
    // The table panel's query, filtered like the dashboard would with segment = enterprise.
    const table = await query('sum by (segment, provider, model) (opencode_turns_total{segment=~"enterprise",region=~".*",provider=~".*",model=~".*"})');
    expect(table.data.result.map((r) => [r.metric.segment, r.metric.provider, r.metric.model, r.value[1]])).toEqual([["enterprise", "anthropic", "claude-sonnet-4-5", "6"]]);
  });
});

// The Prometheus exposition of the usage store, and the Grafana dashboard in docs/ over it: every
// panel's query names metrics and labels the exposition really has, and every metric has a panel.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createExposition } from "../../../server/stats/prometheus.ts";
import { REPO_ROOT } from "../../support/lsp-client.ts";
import { FIXTURE_ROWS } from "../../support/stats/fixture.ts";

async function exported(): Promise<{ text: string; labels: Map<string, Set<string>> }> {
  const text = await (await createExposition(() => FIXTURE_ROWS)).metrics();
  const labels = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^# TYPE (\S+) counter$/gm)) labels.set(m[1]!, new Set());
  for (const m of text.matchAll(/^(opencode_[a-z_]+)\{([^}]*)\} /gm)) for (const l of m[2]!.matchAll(/(\w+)="/g)) labels.get(m[1]!)!.add(l[1]!);
  return { text, labels };
}

describe("Prometheus exposition", () => {
  it("the store's totals over all hours, by every dimension; turns by UTC weekday and hour", async () => {
    const { text } = await exported();
    const claude = 'provider="anthropic",model="claude-sonnet-4-5",segment="enterprise",region="europe",workspace="0123456789ab"';
    expect(text).toContain(`opencode_sessions_total{${claude}} 3`);
    expect(text).toContain(`opencode_turns_total{${claude}} 6`);
    expect(text).toContain(`opencode_tokens_total{${claude},direction="input"} 1200`);
    expect(text).toContain(`opencode_tool_calls_total{${claude},tool="edit",status="failed"} 1`);
    expect(text).toContain(`opencode_edits_total{${claude},outcome="accepted"} 1`);
    expect(text).toContain('opencode_errors_total{provider="openai",model="gpt-5",segment="hobbyist",region="asia",workspace="0123456789ab",kind="rate_limit"} 1');
    expect(text).toContain('opencode_turns_by_hour_total{segment="enterprise",region="europe",weekday="1-mon",hour="09"} 5');
    expect(text).toContain('opencode_turns_by_hour_total{segment="hobbyist",region="asia",weekday="1-mon",hour="23"} 2');
    expect(text).toContain('opencode_turns_by_hour_total{segment="enterprise",region="europe",weekday="4-thu",hour="14"} 1');
  });
});

describe("Grafana dashboard (docs/grafana/opencode-usage.json)", () => {
  const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, "docs", "grafana", "opencode-usage.json"), "utf8"));
  const variables = new Set<string>(dashboard.templating.list.map((v: { name: string }) => v.name));

  /** Metric names in a PromQL expression, each with the label names its query uses. */
  function uses(expr: string): { metric: string; labels: string[] }[] {
    const by = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(",").map((l) => l.trim()));
    return [...expr.matchAll(/\b(opencode_[a-z_]+)(\{([^}]*)\})?/g)].map((m) => ({ metric: m[1]!, labels: [...by, ...[...(m[3] ?? "").matchAll(/(\w+)\s*(=~|!=|!~|=)/g)].map((l) => l[1]!)] }));
  }

  it("every panel's query names exported metrics, with labels they have", async () => {
    const { labels } = await exported();
    const used = new Set<string>();
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
    for (const panel of dashboard.panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) {
        const found = uses(target.expr);
        expect(found.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const { metric, labels: names } of found) {
          expect(labels.has(metric), `${panel.title}: ${metric} is not exported`).toBe(true);
          for (const name of names) expect(labels.get(metric)!.has(name), `${panel.title}: ${metric} has no label ${name}`).toBe(true);
          used.add(metric);
        }
        for (const v of target.expr.matchAll(/\$(\w+)/g)) expect(variables.has(v[1]!) || v[1]!.startsWith("__"), `${panel.title}: $${v[1]} is not a variable`).toBe(true);
      }
    }
    expect([...used].sort()).toEqual([...labels.keys()].sort()); // and every exported metric has a panel
  });

  it("the filters are the page's: segment, region, provider, model, from labels that exist", async () => {
    const { labels } = await exported();
    expect([...variables]).toEqual(["datasource", "segment", "region", "provider", "model"]);
    for (const v of dashboard.templating.list.filter((x: { type: string }) => x.type === "query")) {
      const m = /^label_values\((opencode_[a-z_]+)(\{[^}]*\})?, (\w+)\)$/.exec(v.query.query)!;
      expect(m, v.query.query).not.toBeNull();
      expect(labels.get(m[1]!)!.has(m[3]!)).toBe(true);
      expect(m[3]).toBe(v.name);
    }
  });

  it("panels fit the 24-column grid and have unique ids", () => {
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });
});

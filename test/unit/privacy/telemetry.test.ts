// Telemetry: off does nothing at all; on, the bus's session events become counters per hour,
// segment, region, provider, model and workspace, added to the usage store and served as
// Prometheus text on 127.0.0.1 — numbers and identifiers only, never content.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Bus } from "../../../server/bus/bus.ts";
import { createTelemetry, defaultUsagePath } from "../../../server/privacy/telemetry.ts";
import { buildView } from "../../../server/stats/aggregate.ts";
import { workspaceHash } from "../../../server/stats/dims.ts";
import { UsageStore } from "../../../server/stats/store.ts";

const freshEnv = () => ({ XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "telemetry-")) });
const at = (iso: string) => () => new Date(iso);

/** One session's worth of bus events: created, a tool call, an edit, usage, a turn, then a failed turn. */
function playSession(bus: Bus, id: string) {
  bus.publish({ type: "session.created", sessionId: id });
  bus.publish({ type: "session.update", sessionId: id, update: { kind: "tool_call", id: "c1", tool: "edit", title: "Edit SECRET_PROMPT_MARKER.ts", input: { path: "SECRET_PROMPT_MARKER.ts" } } });
  bus.publish({ type: "session.update", sessionId: id, update: { kind: "edit", uri: "file:///SECRET_PROMPT_MARKER.ts", edits: [] } });
  bus.publish({ type: "session.update", sessionId: id, update: { kind: "tool_result", id: "c1", status: "completed", output: "SECRET_PROMPT_MARKER" } });
  bus.publish({ type: "session.update", sessionId: id, update: { kind: "tool_call", id: "c2", tool: "bash", title: "run", input: {} } });
  bus.publish({ type: "session.update", sessionId: id, update: { kind: "tool_result", id: "c2", status: "failed", output: "exit 1" } });
  bus.publish({ type: "session.update", sessionId: id, update: { kind: "message_chunk", text: "SECRET_PROMPT_MARKER" } });
  bus.publish({ type: "session.update", sessionId: id, update: { kind: "usage", inputTokens: 900, outputTokens: 12, cachedTokens: 300 } });
  bus.publish({ type: "session.turn_ended", sessionId: id, stopReason: "end_turn" });
  bus.publish({ type: "session.turn_ended", sessionId: id, stopReason: "error", errorKind: "rate_limit" });
}

describe("telemetry", () => {
  it("off: no endpoint, no counters, no file, whatever the bus says", async () => {
    const env = freshEnv();
    const t = await createTelemetry({ enabled: false, port: 0, env });
    expect(t.enabled).toBe(false);
    expect(t.url).toBeUndefined();
    const bus = new Bus();
    t.observe(bus, () => "openai/gpt-5");
    playSession(bus, "s1");
    t.count("openai/gpt-5", { sessions: 1 });
    t.flush();
    await t.close();
    expect(await t.metrics()).toBe("");
    expect(t.pending()).toEqual([]);
    expect(existsSync(defaultUsagePath(env))).toBe(false);
  });

  it("on: the bus's events counted exactly, per hour and dimensions, flushed to the store", async () => {
    const env = freshEnv();
    const root = join(tmpdir(), "my-repo");
    const t = await createTelemetry({ enabled: true, env, segment: "Platform Team", region: "europe", root, now: at("2026-03-02T09:30:00Z"), flushDelayMs: 60_000 });
    const bus = new Bus();
    const models: Record<string, string> = { s1: "anthropic/claude-sonnet-4-5", s2: "openai/gpt-5" };
    t.observe(bus, (id) => models[id]);
    playSession(bus, "s1");
    playSession(bus, "s2");
    bus.publish({ type: "session.reverted", sessionId: "s1", files: 1 });
    bus.publish({ type: "session.reverted", sessionId: "s1", files: 0 }); // nothing left to revert
    bus.publish({ type: "session.edits_reviewed", sessionId: "s2", outcome: "accepted", edits: 2 });
    bus.publish({ type: "session.edits_reviewed", sessionId: "s2", outcome: "rejected", edits: 1 });

    const pending = t.pending();
    expect(pending.map((r) => [r.hour, r.segment, r.region, r.provider, r.model, r.workspace])).toEqual([
      ["2026-03-02T09", "platform_team", "europe", "anthropic", "claude-sonnet-4-5", workspaceHash(root)],
      ["2026-03-02T09", "platform_team", "europe", "openai", "gpt-5", workspaceHash(root)],
    ]);
    expect(pending[0]!.counts).toEqual({ sessions: 1, turns: 2, tokens: { input: 900, output: 12, cached: 300 }, tools: { edit: { completed: 1 }, bash: { failed: 1 } }, edits: { applied: 1, accepted: 0, rejected: 0, reverted: 1 }, errors: { rate_limit: 1 } });
    expect(pending[1]!.counts.edits).toEqual({ applied: 1, accepted: 2, rejected: 1, reverted: 0 });
    expect(JSON.stringify(pending)).not.toContain("SECRET");
    expect(existsSync(defaultUsagePath(env))).toBe(false); // not flushed yet

    await t.close();
    expect(t.pending()).toEqual([]);
    const totals = buildView(new UsageStore(defaultUsagePath(env)).read()).totals;
    expect(totals).toEqual({ sessions: 2, turns: 4, inputTokens: 1800, outputTokens: 24, cachedTokens: 600, toolCalls: 4, toolFailures: 2, editsApplied: 2, editsAccepted: 2, editsRejected: 1, editsReverted: 1, errors: 2 });

    // A second process adds to the same store.
    const t2 = await createTelemetry({ enabled: true, env, now: at("2026-03-03T10:00:00Z") });
    t2.count("anthropic/claude-sonnet-4-5", { sessions: 1 });
    await t2.close();
    expect(buildView(new UsageStore(defaultUsagePath(env)).read()).totals.sessions).toBe(3);
  });

  it("a count is flushed by itself shortly after it happens", async () => {
    const env = freshEnv();
    const t = await createTelemetry({ enabled: true, env, flushDelayMs: 20 });
    t.count("ollama/qwen", { turns: 1 });
    await expect.poll(() => existsSync(defaultUsagePath(env))).toBe(true);
    expect(t.pending()).toEqual([]);
    await t.close();
  });

  it("the endpoint serves the store's totals plus what is pending, on 127.0.0.1, never content", async () => {
    const env = freshEnv();
    const t = await createTelemetry({ enabled: true, port: 0, env, segment: "enterprise", region: "asia", root: "/w/repo", flushDelayMs: 60_000 });
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const bus = new Bus();
    t.observe(bus, () => "anthropic/claude-sonnet-4-5");
    playSession(bus, "s1");
    t.flush();
    playSession(bus, "s2"); // pending

    const text = await (await fetch(t.url!)).text();
    const l = `provider="anthropic",model="claude-sonnet-4-5",segment="enterprise",region="asia",workspace="${workspaceHash("/w/repo")}"`;
    expect(text).toContain(`opencode_sessions_total{${l}} 2`);
    expect(text).toContain(`opencode_turns_total{${l}} 4`);
    expect(text).toContain(`opencode_tokens_total{${l},direction="input"} 1800`);
    expect(text).toContain(`opencode_tokens_total{${l},direction="cached"} 600`);
    expect(text).toContain(`opencode_tool_calls_total{${l},tool="edit",status="completed"} 2`);
    expect(text).toContain(`opencode_tool_calls_total{${l},tool="bash",status="failed"} 2`);
    expect(text).toContain(`opencode_edits_total{${l},outcome="applied"} 2`);
    expect(text).toContain(`opencode_errors_total{${l},kind="rate_limit"} 2`);
    expect(text).toContain("# TYPE opencode_edits_total counter");
    expect(text).not.toContain("SECRET_PROMPT_MARKER");
    expect(await t.metrics()).toBe(text);
    expect((await fetch(t.url!.replace("/metrics", "/other"))).status).toBe(404);
    await t.close();
    await expect(fetch(t.url!)).rejects.toThrow();
  });

  it("a port already taken: a warning, and counting goes on", async () => {
    const env = freshEnv();
    const taken = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => taken.once("listening", r));
    const port = (taken.address() as { port: number }).port;
    const warnings: string[] = [];
    const t = await createTelemetry({ enabled: true, port, env, warn: (m) => warnings.push(m) });
    expect(t.url).toBeUndefined();
    expect(warnings.join()).toMatch(new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}.*counting goes on`));
    t.count("openai/gpt-5", { sessions: 1 });
    await t.close();
    expect(buildView(new UsageStore(defaultUsagePath(env)).read()).totals.sessions).toBe(1);
    taken.close();
  });

  it("a store held by another process: the counts stay pending and are written once it is free", async () => {
    const env = freshEnv();
    const path = defaultUsagePath(env);
    const warnings: string[] = [];
    const t = await createTelemetry({ enabled: true, env, warn: (m) => warnings.push(m), now: at("2026-03-02T09:00:00Z"), flushDelayMs: 60_000 });
    t.count("openai/gpt-5", { turns: 3 });
    new UsageStore(path).add([{ ...t.pending()[0]!, counts: { ...t.pending()[0]!.counts, turns: 1 } }]); // creates the folder
    writeFileSync(`${path}.lock`, "4242"); // a live lock: fresh mtime
    t.flush();
    expect(warnings.join()).toMatch(/not written yet: .*held by another process/);
    expect(t.pending()[0]!.counts.turns).toBe(3);
    const { rmSync } = await import("node:fs");
    rmSync(`${path}.lock`);
    t.flush();
    expect(t.pending()).toEqual([]);
    expect(buildView(new UsageStore(path).read()).totals.turns).toBe(4);
    await t.close();
  }, 20_000);

  it("labels are sanitized identifiers", async () => {
    const t = await createTelemetry({ enabled: true, env: freshEnv(), segment: "Team A", region: "Europe", flushDelayMs: 60_000 });
    t.count('x"} evil{/model with spaces', { errors: { "kind with spaces": 1 } });
    const row = t.pending()[0]!;
    expect([row.provider, row.model, row.segment, row.region]).toEqual(["x_evil_", "model_with_spaces", "team_a", "europe"]);
    await t.close();
  });
});

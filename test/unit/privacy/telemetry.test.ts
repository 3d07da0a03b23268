// Telemetry: off by default does nothing at all; on, counters on 127.0.0.1 and summed for `stats`.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTelemetry, defaultUsagePath, formatStats, statsCommand, statsSummary } from "../../../server/privacy/telemetry.ts";

const freshEnv = () => ({ XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "telemetry-")) });

describe("telemetry", () => {
  it("off: no endpoint, no counters, no file, whatever is recorded", async () => {
    const env = freshEnv();
    const t = await createTelemetry({ enabled: false, port: 0, env });
    expect(t.enabled).toBe(false);
    expect(t.url).toBeUndefined();
    t.sessionStarted("openai");
    t.tokens("openai", { inputTokens: 5, outputTokens: 5 });
    t.flush();
    await t.close();
    expect(await t.metrics()).toBe("");
    expect(existsSync(defaultUsagePath(env))).toBe(false);
    expect(statsSummary({ enabled: false, env }).since).toBeUndefined();
  });

  it("on: Prometheus counters per provider on 127.0.0.1, never content; flushed for stats", async () => {
    const env = freshEnv();
    const t = await createTelemetry({ enabled: true, port: 0, env });
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    t.sessionStarted("anthropic");
    const names = new Map<string, string>();
    t.observe("anthropic", { kind: "tool_call", id: "c1", tool: "edit", title: "Edit SECRET_PROMPT_MARKER.ts", input: { path: "SECRET_PROMPT_MARKER.ts" } }, names);
    t.observe("anthropic", { kind: "tool_result", id: "c1", status: "completed", output: "SECRET_PROMPT_MARKER" }, names);
    t.observe("anthropic", { kind: "message_chunk", text: "SECRET_PROMPT_MARKER" }, names);
    t.observe("anthropic", { kind: "usage", inputTokens: 900, outputTokens: 12, cachedTokens: 300 }, names);
    t.turnEnded("anthropic");
    t.error("ollama", "connection");

    const text = await (await fetch(t.url!)).text();
    expect(text).toMatch(/opencode_sessions_total\{provider="anthropic"\} 1/);
    expect(text).toMatch(/opencode_turns_total\{provider="anthropic"\} 1/);
    expect(text).toMatch(/opencode_tokens_total\{provider="anthropic",direction="input"\} 900/);
    expect(text).toMatch(/opencode_tool_calls_total\{provider="anthropic",tool="edit",status="completed"\} 1/);
    expect(text).toMatch(/opencode_errors_total\{provider="ollama",kind="connection"\} 1/);
    expect(text).not.toContain("SECRET_PROMPT_MARKER");
    expect((await fetch(t.url!.replace("/metrics", "/other"))).status).toBe(404);

    await t.close();
    const summary = statsSummary({ enabled: true, env });
    expect(summary.providers.anthropic).toEqual({ sessions: 1, turns: 1, inputTokens: 900, outputTokens: 12, cachedTokens: 300, toolCalls: 1, errors: 0 });
    expect(summary.totals.errors).toBe(1);

    // A second process adds to the same file.
    const t2 = await createTelemetry({ enabled: true, env });
    expect(t2.url).toBeUndefined();
    t2.sessionStarted("anthropic");
    await t2.close();
    expect(statsSummary({ enabled: true, env }).providers.anthropic!.sessions).toBe(2);
    expect(formatStats(statsSummary({ enabled: true, env }))).toMatch(/anthropic\s+2\s+1\s+900\s+12\s+300\s+1\s+0/);
  });

  it("statsCommand prints a table or JSON and says when telemetry is off", async () => {
    const env = freshEnv();
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), env };
    expect(await statsCommand([], { ...io, enabled: false })).toBe(0);
    expect(out.at(-1)).toMatch(/Telemetry is off/);
    expect(await statsCommand(["--json"], { ...io, enabled: true })).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ enabled: true, totals: { sessions: 0 } });
    expect(await statsCommand(["--bogus"], { ...io, enabled: true })).toBe(2);
  });

  it("labels are sanitized identifiers", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const t = await createTelemetry({ enabled: true, env: { XDG_STATE_HOME: mkdtempSync(`${tmpdir()}/telemetry-`) } });
    t.error('x"} evil{', "kind with spaces");
    expect(await t.metrics()).toMatch(/opencode_errors_total\{provider="x_evil_",kind="kind_with_spaces"\} 1/);
    await t.close();
  });
});

// `opencode-lsp run` end to end: the built binary, a real workspace on disk, a scripted model over
// real HTTP through the real SDK of each wire format.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BUGGY_MATH, FIX_SCENARIO, mathWorkspace, runCli } from "../../support/agent-workspace.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptProtocol } from "../../support/providers/scripted-server.ts";

let provider: ScriptedProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

/** The text of every tool result the model was sent in a request, whatever the wire format. */
function toolResultsIn(body: any): string {
  return JSON.stringify(body.messages);
}

describe.each<ScriptProtocol>(["openai", "anthropic", "ollama"])("run over %s", (protocol) => {
  it("reads, edits, runs the test, sees it fail, fixes it, and finishes", async () => {
    provider = await startScriptedProvider({ protocol, turns: FIX_SCENARIO });
    const root = mathWorkspace(provider, protocol);
    const result = await runCli(["run", "--yes", "make the test pass"], root);

    expect(result.stderr).not.toMatch(/opencode-lsp: /);
    expect(result.code).toBe(0);
    expect(readFileSync(join(root, "math.js"), "utf8")).toBe(BUGGY_MATH.replace("a - b", "a + b"));
    expect(result.stdout).toContain("Fixed add: it now adds.");
    expect(result.stderr).toMatch(/• .*math\.js/); // tool activity goes to stderr

    expect(provider.requests).toHaveLength(6);
    const first = provider.requests[0]!.body;
    expect(JSON.stringify(first)).toContain("make the test pass");
    const toolNames = JSON.stringify(first.tools);
    for (const tool of ["read", "edit", "bash", "grep"]) expect(toolNames).toContain(`"${tool}"`);
    // The model saw the failing test run, then the passing one.
    expect(toolResultsIn(provider.requests[3]!.body)).toContain("FAIL: add(2, 3) returned 6");
    expect(toolResultsIn(provider.requests[5]!.body)).toContain("ok");
  }, 30_000);
});

describe("run", () => {
  it("prints every step as JSON lines with --json", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: FIX_SCENARIO });
    const root = mathWorkspace(provider, "openai");
    const result = await runCli(["run", "--yes", "--json", "make the test pass"], root);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const kinds = lines.filter((l) => l.type === "update").map((l) => l.update.kind);
    expect(kinds.filter((k) => k === "tool_call")).toHaveLength(5);
    expect(kinds.filter((k) => k === "tool_result")).toHaveLength(5);
    expect(kinds).toContain("usage");
    expect(lines.at(-1)).toMatchObject({ type: "result", stopReason: "end_turn" });
  }, 30_000);

  it("without --yes and without a terminal, refuses edits and tells the model", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [FIX_SCENARIO[1]!, { text: "I was not allowed to edit." }] });
    const root = mathWorkspace(provider, "openai");
    const result = await runCli(["run", "fix it"], root);
    expect(result.code).toBe(0);
    expect(readFileSync(join(root, "math.js"), "utf8")).toBe(BUGGY_MATH);
    expect(JSON.stringify(provider.requests[1]!.body.messages)).toMatch(/Permission required for edit.*not run/);
  });

  it("exits 1 with the provider's message when the model fails", async () => {
    provider = await startScriptedProvider({ protocol: "anthropic", turns: [{ status: 401, errorMessage: "invalid x-api-key" }] });
    const root = mathWorkspace(provider, "anthropic");
    const result = await runCli(["run", "hello"], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/opencode-lsp: .*(401|key)/i);
  });

  it("exits 130 on Ctrl-C, cancelling the stream", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "thinking about it", hang: true }] });
    const root = mathWorkspace(provider, "openai");
    let sent = false;
    const result = await runCli(["run", "hello"], root, {}, (stdout, child) => {
      if (!sent && stdout.includes("thinking")) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    expect(result.code).toBe(130);
    await expect.poll(() => provider!.requests[0]!.aborted).toBe(true);
  });

  it("says exactly what to set when no provider is usable", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const result = await runCli(["run", "hello"], mkdtempSync(join(tmpdir(), "empty-")));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no model chosen.*ANTHROPIC_API_KEY.*OPENAI_API_KEY/s);
  });

  it("rejects a run without a prompt", async () => {
    const result = await runCli(["run"], process.cwd());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("run needs a prompt");
  });
});

describe("run --session", () => {
  it("keeps the session with retention local and continues it with --session", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "The answer is 42." }, { text: "As I said: 42." }] });
    const root = mathWorkspace(provider, "openai");
    const config = JSON.parse(readFileSync(join(root, "opencode.json"), "utf8"));
    writeFileSync(join(root, "opencode.json"), JSON.stringify({ ...config, retention: "local" }));
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const state = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), "run-state-")), XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "run-config-")) };
    const first = await runCli(["run", "what is the answer?"], root, state);
    expect(first.code).toBe(0);
    const id = /continue with --session ([\w-]+)/.exec(first.stderr)?.[1];
    expect(id).toBeDefined();
    const second = await runCli(["run", "--session", id!, "say it again"], root, state);
    expect(second.stderr).toMatch(/^session \S+ kept/);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("As I said: 42.");
    const sent = JSON.stringify(provider.requests[1]!.body.messages);
    expect(sent).toContain("what is the answer?");
    expect(sent).toContain("The answer is 42.");
    const unknown = await runCli(["run", "--session", "nope", "x"], root, state);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no kept session nope");
  });

  it("refuses --session without retention local", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "x" }] });
    const result = await runCli(["run", "--session", "abc", "x"], mathWorkspace(provider, "openai"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--session needs retention "local"');
  });
});

// Offline mode end to end through the built binary: a cloud provider and a provider at a non-local
// address are refused (quickly, without trying to connect: 10.255.255.1 is a black hole that would
// hang a connect), while Ollama on loopback (scripted) runs the whole session.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BUGGY_MATH, FIX_SCENARIO, mathWorkspace, runCli } from "../../support/agent-workspace.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";
import { readFileSync } from "node:fs";

let provider: ScriptedProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

describe("policy.offline through opencode-lsp run", () => {
  it("refuses a cloud provider and a provider on a non-local host, before any request", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: FIX_SCENARIO });
    const root = mathWorkspace(provider, "openai");
    writeFileSync(
      join(root, "opencode.json"),
      JSON.stringify({ policy: { offline: true }, providers: { lan: { baseURL: "http://10.255.255.1:8080/v1", protocol: "openai", apiKey: "k" } } }),
    );
    const started = Date.now();
    const cloud = await runCli(["run", "--model", "openai/gpt-4o", "hello"], root, { OPENAI_API_KEY: "sk-test-0123456789abcdef" });
    const lan = await runCli(["run", "--model", "lan/some-model", "hello"], root);
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const r of [cloud, lan]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/offline policy/);
    }
    expect(provider.requests).toHaveLength(0);
  }, 30_000);

  it("allows Ollama on loopback: the session runs", async () => {
    provider = await startScriptedProvider({ protocol: "ollama", turns: FIX_SCENARIO });
    const root = mathWorkspace(provider, "ollama");
    writeFileSync(join(root, "opencode.json"), JSON.stringify({ model: "ollama/qwen2.5-coder:7b", policy: { offline: true }, providers: { ollama: { baseURL: provider.baseURLs.ollama } } }));
    const result = await runCli(["run", "--yes", "make the test pass"], root);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(root, "math.js"), "utf8")).toBe(BUGGY_MATH.replace("a - b", "a + b"));
    expect(provider.requests).toHaveLength(FIX_SCENARIO.length);
  }, 30_000);
});

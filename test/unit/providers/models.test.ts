import { afterEach, describe, expect, it } from "vitest";
import { createModelClient, formatModelsTable, listModels } from "../../../server/providers/index.ts";
import { deadPort, startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let server: ScriptedProvider | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("listModels", () => {
  it("lists every model with availability: keys from env, local servers probed", async () => {
    server = await startScriptedProvider({ protocol: "ollama" });
    const dead = await deadPort();
    const entries = await listModels(
      { providers: { ollama: { baseURL: server.baseURL }, lmstudio: { baseURL: `http://127.0.0.1:${dead}/v1` }, llamacpp: { baseURL: `${server.baseURLs.openai}` }, vllm: { baseURL: `http://127.0.0.1:${dead}/v1` } } },
      { ANTHROPIC_API_KEY: "k" },
    );
    expect(entries.length).toBeGreaterThanOrEqual(75);
    const byId = Object.fromEntries(entries.map((e) => [e.id, e]));
    expect(byId["anthropic/claude-sonnet-4-5"]).toMatchObject({ usable: true, reason: "key from ANTHROPIC_API_KEY", protocol: "anthropic", tools: true });
    expect(byId["openai/gpt-4.1"]).toMatchObject({ usable: false, reason: "set OPENAI_API_KEY" });
    expect(byId["ollama/qwen2.5-coder:7b"]).toMatchObject({ usable: true, local: true, price: { input: 0, output: 0 } });
    expect(byId["ollama/qwen2.5-coder:7b"]!.reason).toMatch(/answering on 127\.0\.0\.1:/);
    expect(byId["llamacpp/default"]!.usable).toBe(true);
    expect(byId["lmstudio/openai/gpt-oss-20b"]).toMatchObject({ usable: false });
    expect(byId["lmstudio/openai/gpt-oss-20b"]!.reason).toMatch(/not answering/);
    for (const e of entries) expect(Object.keys(e).sort()).toEqual(["contextWindow", "id", "local", "maxOutput", "model", "name", "price", "protocol", "provider", "providerName", "reason", "tools", "usable"]);
  });

  it("probes local servers in parallel within the timeout", async () => {
    const started = performance.now();
    // 10.255.255.1 is not routable: the probe has to time out.
    await listModels({ providers: { ollama: { baseURL: "http://10.255.255.1:11434" }, lmstudio: { baseURL: "http://10.255.255.1:1234/v1" }, vllm: { baseURL: "http://10.255.255.1:8000/v1" } } }, {}, { probeTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(900);
  });

  it("includes providers and models added in config; the client streams to them", async () => {
    const entries = await listModels({ providers: { myco: { protocol: "openai", baseURL: "https://llm.myco.example/v1", apiKey: "k", models: { "house-1": { contextWindow: 32000 } } } } }, {}, { probe: false });
    expect(entries.find((e) => e.id === "myco/house-1")).toMatchObject({ usable: true, reason: "key in config", contextWindow: 32000, protocol: "openai" });
    expect(entries.find((e) => e.id === "ollama/llama3.1:8b")!.reason).toBe("not probed");
  });

  it("formats a terminal table", async () => {
    const table = formatModelsTable(await listModels({ providers: {} }, { OPENAI_API_KEY: "k" }, { probe: false }));
    const lines = table.split("\n");
    expect(lines[0]).toMatch(/^MODEL\s+CONTEXT\s+OUTPUT\s+TOOLS\s+\$\/MTOK IN\/OUT\s+STATUS$/);
    expect(table).toMatch(/openai\/gpt-4\.1\s+1M\s+33k\s+yes\s+2\/8\s+✓ key from OPENAI_API_KEY/);
    expect(lines.at(-1)).toMatch(/^\d+ models from \d+ providers; 8 usable now\.$/);
  });
});

describe("client metadata", () => {
  it("checkModel, contextWindow and setupHint", () => {
    const client = createModelClient({ config: { providers: {} }, env: { DEEPSEEK_API_KEY: "k" } });
    expect(client.checkModel("deepseek/deepseek-chat")).toBeUndefined();
    expect(client.checkModel("ollama/anything:latest")).toBeUndefined();
    expect(client.contextWindow("anthropic/claude-sonnet-4-5")).toBe(200000);
    expect(client.contextWindow("ollama/unlisted:1b")).toBe(128000);
    expect(client.setupHint()).toContain("deepseek/deepseek-chat");
    expect(createModelClient({ config: { providers: {} }, env: {} }).setupHint()).toMatch(/ANTHROPIC_API_KEY/);
  });
});

import { describe, expect, it } from "vitest";
import { catalogueSchema, loadCatalogue, parseModelId, resolveProviders } from "../../../server/providers/catalogue.ts";
import raw from "../../../server/providers/catalogue.json" with { type: "json" };

const REQUIRED = ["openai", "anthropic", "google", "mistral", "groq", "deepseek", "xai", "openrouter", "together", "fireworks", "cerebras", "perplexity", "deepinfra", "azure", "github-models", "huggingface", "nvidia", "moonshot", "qwen", "ollama", "lmstudio", "llamacpp", "vllm"];

describe("catalogue", () => {
  const catalogue = loadCatalogue();
  const providers = Object.entries(catalogue.providers);
  const models = providers.flatMap(([id, p]) => Object.entries(p.models).map(([m, info]) => ({ id: `${id}/${m}`, provider: p, info })));

  it("has at least 75 models across at least 20 providers, including every one the issue names", () => {
    expect(models.length).toBeGreaterThanOrEqual(75);
    expect(providers.length).toBeGreaterThanOrEqual(20);
    for (const id of REQUIRED) expect(catalogue.providers[id], id).toBeDefined();
    expect(new Set(models.map((m) => m.id)).size).toBe(models.length);
  });

  it("every entry is complete: protocol, base URL, key env var (hosted), context, output, tools, price", () => {
    for (const [id, p] of providers) {
      expect(["openai", "anthropic", "ollama"], id).toContain(p.protocol);
      expect(p.baseURL, id).toMatch(/^https?:\/\//);
      if (!p.local) expect(p.apiKeyEnv, id).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
    for (const { id, provider, info } of models) {
      expect(info.name, id).toBeTruthy();
      expect(info.contextWindow, id).toBeGreaterThan(1000);
      expect(info.maxOutput, id).toBeGreaterThan(0);
      expect(info.maxOutput, id).toBeLessThanOrEqual(info.contextWindow);
      expect(typeof info.tools, id).toBe("boolean");
      expect(info.price.input, id).toBeGreaterThanOrEqual(0);
      expect(info.price.output, id).toBeGreaterThanOrEqual(0);
      if (provider.local) expect(info.price, id).toEqual({ input: 0, output: 0 });
    }
    expect(catalogue.providers.anthropic!.protocol).toBe("anthropic");
    expect(catalogue.providers.ollama!.protocol).toBe("ollama");
    expect(catalogue.providers.google!.baseURL).toContain("/openai");
  });

  it("the schema rejects an incomplete entry", () => {
    const broken = structuredClone(raw) as { providers: Record<string, { models: Record<string, Record<string, unknown>>; apiKeyEnv: unknown }> };
    delete broken.providers.openai!.models["gpt-4.1"]!.price;
    expect(catalogueSchema.safeParse(broken).success).toBe(false);
    const noKey = structuredClone(raw) as typeof broken;
    noKey.providers.groq!.apiKeyEnv = null;
    expect(catalogueSchema.safeParse(noKey).success).toBe(false);
  });

  it("parses provider/model ids whose model part has slashes", () => {
    expect(parseModelId("openrouter/anthropic/claude-sonnet-4.5")).toEqual({ provider: "openrouter", model: "anthropic/claude-sonnet-4.5" });
    expect(parseModelId("ollama/qwen2.5-coder:7b")).toEqual({ provider: "ollama", model: "qwen2.5-coder:7b" });
    expect(parseModelId("nomodel")).toBeUndefined();
    expect(parseModelId("x/")).toBeUndefined();
  });
});

describe("resolveProviders (catalogue + config)", () => {
  it("takes keys from the environment and the config", () => {
    const p = resolveProviders({ providers: { mistral: { apiKey: "in-config" } } }, { OPENAI_API_KEY: "sk-x" });
    expect(p.get("openai")).toMatchObject({ apiKey: "sk-x", problem: undefined });
    expect(p.get("mistral")).toMatchObject({ apiKey: "in-config", problem: undefined });
    expect(p.get("groq")!.problem).toBe("set GROQ_API_KEY");
    expect(p.get("ollama")).toMatchObject({ local: true, problem: undefined, baseURL: "http://127.0.0.1:11434" });
  });

  it("OLLAMA_HOST moves Ollama; ${VAR} base URLs need their variable", () => {
    const p = resolveProviders({ providers: {} }, { OLLAMA_HOST: "0.0.0.0:9999", AZURE_OPENAI_API_KEY: "k" });
    expect(p.get("ollama")!.baseURL).toBe("http://127.0.0.1:9999");
    expect(p.get("azure")!.problem).toMatch(/AZURE_OPENAI_RESOURCE/);
    const q = resolveProviders({ providers: {} }, { AZURE_OPENAI_RESOURCE: "acme", AZURE_OPENAI_API_KEY: "k" });
    expect(q.get("azure")).toMatchObject({ baseURL: "https://acme.openai.azure.com/openai/v1", authHeader: "api-key", problem: undefined });
  });

  it("user config adds a provider with its models, and overrides catalogue models", () => {
    const p = resolveProviders(
      {
        providers: {
          myco: { protocol: "anthropic", baseURL: "https://llm.myco.example/api", apiKeyEnv: "MYCO_KEY", headers: { "x-team": "a" }, models: { "house-model": { contextWindow: 64000, price: { input: 1, output: 2 } } } },
          openai: { models: { "gpt-4.1": { price: { input: 9, output: 9 } }, "ft:gpt-4.1:acme": { name: "Fine-tuned" } } },
          ollama: { endpoints: ["http://10.0.0.5:11434", "http://10.0.0.6:11434"] },
        },
      },
      { MYCO_KEY: "secret" },
    );
    expect(p.get("myco")).toMatchObject({ protocol: "anthropic", baseURL: "https://llm.myco.example/api", apiKey: "secret", headers: { "x-team": "a" }, local: false, problem: undefined });
    expect(p.get("myco")!.models["house-model"]).toMatchObject({ id: "myco/house-model", contextWindow: 64000, maxOutput: 8192, tools: true, price: { input: 1, output: 2 } });
    expect(p.get("openai")!.models["gpt-4.1"]).toMatchObject({ price: { input: 9, output: 9 }, contextWindow: 1047576 });
    expect(p.get("openai")!.models["ft:gpt-4.1:acme"]).toMatchObject({ name: "Fine-tuned" });
    expect(p.get("ollama")!.endpoints).toEqual(["http://10.0.0.5:11434", "http://10.0.0.6:11434"]);
  });

  it("policy: allowProviders and offline mark other providers unusable", () => {
    const p = resolveProviders({ providers: {}, policy: { offline: true, denyTools: [] } }, { OPENAI_API_KEY: "k" });
    expect(p.get("openai")!.problem).toMatch(/offline/);
    expect(p.get("ollama")!.problem).toBeUndefined();
    const q = resolveProviders({ providers: {}, policy: { offline: false, denyTools: [], allowProviders: ["anthropic"] } }, { OPENAI_API_KEY: "k", ANTHROPIC_API_KEY: "k" });
    expect(q.get("openai")!.problem).toMatch(/allowProviders/);
    expect(q.get("anthropic")!.problem).toBeUndefined();
  });
});

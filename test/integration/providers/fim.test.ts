// Fill in the middle on the providers' own endpoints, and streamOnce (what `opencode-lsp bench` asks
// through): one request to one endpoint, no cache, no fallback, no retry.
import { afterEach, describe, expect, it } from "vitest";
import { collect, createModelClient } from "../../../server/providers/index.ts";
import { clientFor } from "../../support/providers/client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

const servers: ScriptedProvider[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function scripted(...args: Parameters<typeof startScriptedProvider>): Promise<ScriptedProvider> {
  const server = await startScriptedProvider(...args);
  servers.push(server);
  return server;
}

const fim = { prefix: "function add(a, b) {\n  return ", suffix: ";\n}\n" };

describe("fill in the middle", () => {
  it("openai: /completions with prompt and suffix, the text streamed, usage kept", async () => {
    const server = await scripted({ protocol: "openai", turns: [{ text: ["a ", "+ b"], usage: { input: 14, output: 3 } }] });
    const result = await collect(clientFor(server).streamOnce("test/coder", { messages: [], fim, maxTokens: 32, temperature: 0 }));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("a + b");
    expect(result.usage).toEqual({ inputTokens: 14, outputTokens: 3, cachedTokens: 0 });
    expect(result.stop).toBe("end_turn");
    const request = server.requests[0]!;
    expect(request.path).toBe("/v1/completions");
    expect(request.body).toMatchObject({ model: "coder", prompt: fim.prefix, suffix: fim.suffix, max_tokens: 32, temperature: 0, stream: true });
    expect(request.body.messages).toBeUndefined();
  });

  it("ollama: /api/generate with prompt and suffix", async () => {
    const server = await scripted({ protocol: "ollama", turns: [{ text: ["a", " + b"], usage: { input: 20, output: 4 } }] });
    const result = await collect(clientFor(server).streamOnce("test/qwen2.5-coder:1.5b", { messages: [], fim, maxTokens: 16, temperature: 0 }));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("a + b");
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 4, cachedTokens: 0 });
    const request = server.requests[0]!;
    expect(request.path).toBe("/api/generate");
    expect(request.body).toMatchObject({ model: "qwen2.5-coder:1.5b", prompt: fim.prefix, suffix: fim.suffix, options: { temperature: 0, num_predict: 16 } });
  });

  it("anthropic has no such endpoint: a clear bad_request, nothing sent", async () => {
    const server = await scripted({ protocol: "anthropic" });
    const result = await collect(clientFor(server).streamOnce("test/claude", { messages: [], fim }));
    expect(result.error).toMatchObject({ kind: "bad_request" });
    expect(result.error?.message).toMatch(/no fill-in-the-middle endpoint/);
    expect(server.requests).toHaveLength(0);
  });
});

describe("streamOnce", () => {
  it("bypasses the completion cache (stream() would replay the second request)", async () => {
    const server = await scripted({ protocol: "openai", turns: [{ text: "same" }] });
    const client = clientFor(server);
    const request = { messages: [{ role: "user" as const, content: "hi" }], temperature: 0 };
    await collect(client.stream("test/m", request));
    await collect(client.stream("test/m", request));
    expect(server.requests).toHaveLength(1);
    await collect(client.streamOnce("test/m", request));
    await collect(client.streamOnce("test/m", request));
    expect(server.requests).toHaveLength(3);
  });

  it("asks the first endpoint once: no fallback to the next, no retry-after wait, no circuit opened", async () => {
    const failing = await scripted({ protocol: "openai", turns: [{ status: 429, retryAfter: 30 }] });
    const healthy = await scripted({ protocol: "openai", turns: [{ text: "fine" }] });
    const client = createModelClient({ config: { providers: { test: { protocol: "openai", apiKey: "k", endpoints: [failing.baseURL, healthy.baseURL] } } }, env: {} });
    for (let i = 0; i < 4; i++) {
      const started = performance.now();
      const result = await collect(client.streamOnce("test/m", { messages: [{ role: "user", content: `try ${i}` }] }));
      expect(result.error?.kind).toBe("rate_limit");
      expect(performance.now() - started).toBeLessThan(2_000);
    }
    expect(failing.requests).toHaveLength(4);
    expect(healthy.requests).toHaveLength(0);
    // The routed stream falls back (and would have opened the circuit).
    expect((await collect(client.stream("test/m", { messages: [{ role: "user", content: "routed" }] }))).text).toBe("fine");
  });

  it("an unusable model is an error event, not a throw", async () => {
    const client = createModelClient({ config: { providers: {} }, env: {} });
    const result = await collect(client.streamOnce("nosuch/m", { messages: [] }));
    expect(result.error).toMatchObject({ kind: "config" });
  });
});

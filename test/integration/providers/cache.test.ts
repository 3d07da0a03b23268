// The completion cache: deterministic requests replay from memory; nothing else is cached.
import { afterEach, describe, expect, it } from "vitest";
import { collect, createModelClient } from "../../../server/providers/index.ts";
import { clientFor, TOOLS } from "../../support/providers/client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let server: ScriptedProvider | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const request = (temperature: number, content = "q") => ({ system: "sys", messages: [{ role: "user" as const, content }], tools: TOOLS, temperature });

describe("completion cache", () => {
  it("a second identical temperature-0 request is answered from memory", async () => {
    server = await startScriptedProvider({ protocol: "anthropic", turns: [{ text: "cached answer", toolCalls: [{ name: "read_file", arguments: { path: "x" } }], usage: { input: 10, output: 3 } }] });
    const client = clientFor(server);
    const first = await collect(client.stream("test/m", request(0)));
    const second = await collect(client.stream("test/m", request(0)));
    expect(server.requests).toHaveLength(1);
    expect(second.events).toEqual(first.events);
    expect(second.text).toBe("cached answer");
    expect(second.toolCalls[0]!.input).toEqual({ path: "x" });
    expect(client.stats().cache).toMatchObject({ hits: 1, misses: 1, entries: 1 });
  });

  it("does not cache at temperature > 0 or without a temperature", async () => {
    server = await startScriptedProvider({ protocol: "openai", turns: [{ text: "varies" }] });
    const client = clientFor(server);
    await collect(client.stream("test/m", request(0.7)));
    await collect(client.stream("test/m", request(0.7)));
    await collect(client.stream("test/m", { messages: [{ role: "user", content: "q" }] }));
    await collect(client.stream("test/m", { messages: [{ role: "user", content: "q" }] }));
    expect(server.requests).toHaveLength(4);
    expect(client.stats().cache).toMatchObject({ hits: 0, misses: 0, entries: 0 });
  });

  it("a different message, model or tool set misses", async () => {
    server = await startScriptedProvider({ protocol: "ollama", turns: [{ text: "x" }] });
    const client = clientFor(server);
    await collect(client.stream("test/m", request(0)));
    await collect(client.stream("test/m", request(0, "other")));
    await collect(client.stream("test/m2", request(0)));
    await collect(client.stream("test/m", { ...request(0), tools: [] }));
    expect(server.requests).toHaveLength(4);
    expect(client.stats().cache.hits).toBe(0);
  });

  it("a failed or cancelled stream is not stored", async () => {
    server = await startScriptedProvider({ protocol: "openai", turns: [{ text: ["a ", "b ", "c "], cutAfterChunks: 1 }, { text: "complete" }] });
    const client = clientFor(server);
    const failed = await collect(client.stream("test/m", request(0)));
    expect(failed.error).toBeDefined();
    const ok = await collect(client.stream("test/m", request(0)));
    expect(ok.text).toBe("complete");
    const replayed = await collect(client.stream("test/m", request(0)));
    expect(replayed.text).toBe("complete");
    expect(server.requests).toHaveLength(2);
  });

  it("entries expire after cache.ttlMs, and maxEntries 0 turns caching off", async () => {
    server = await startScriptedProvider({ protocol: "openai", turns: [{ text: "x" }] });
    const config = { providers: { test: { baseURL: server.baseURL, protocol: "openai" as const, apiKey: "k" } }, cache: { maxEntries: 10, ttlMs: 60 } };
    const client = createModelClient({ config, env: {} });
    await collect(client.stream("test/m", request(0)));
    await collect(client.stream("test/m", request(0)));
    expect(server.requests).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 120));
    await collect(client.stream("test/m", request(0)));
    expect(server.requests).toHaveLength(2);

    client.updateConfig({ ...config, cache: { maxEntries: 0, ttlMs: 60_000 } });
    await collect(client.stream("test/m", request(0)));
    await collect(client.stream("test/m", request(0)));
    expect(server.requests).toHaveLength(4);
  });
});

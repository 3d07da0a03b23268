// The scripted servers' non-stream JSON answers, read by the real SDKs (the stream formats are
// covered by the adapter tests), so later tests can rely on both.
import Anthropic from "@anthropic-ai/sdk";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let server: ScriptedProvider | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const turn = { text: "plain answer", toolCalls: [{ id: "t1", name: "read_file", arguments: { path: "a" } }], usage: { input: 7, output: 3, cached: 2 } };

describe("scripted server, non-stream JSON", () => {
  it("openai chat.completion", async () => {
    server = await startScriptedProvider({ protocol: "openai", turns: [turn] });
    const client = new OpenAI({ apiKey: "k", baseURL: server.baseURL, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "q" }] });
    expect(completion.choices[0]!.message.content).toBe("plain answer");
    expect(completion.choices[0]!.message.tool_calls![0]).toMatchObject({ id: "t1", function: { name: "read_file", arguments: '{"path":"a"}' } });
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(completion.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } });
    expect(server.requests[0]!.body.stream).toBeUndefined();
  });

  it("anthropic message", async () => {
    server = await startScriptedProvider({ protocol: "anthropic", turns: [turn] });
    const client = new Anthropic({ apiKey: "k", baseURL: server.baseURL, maxRetries: 0 });
    const message = await client.messages.create({ model: "m", max_tokens: 100, messages: [{ role: "user", content: "q" }] });
    expect(message.content).toEqual([{ type: "text", text: "plain answer" }, { type: "tool_use", id: "t1", name: "read_file", input: { path: "a" } }]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 5, output_tokens: 3, cache_read_input_tokens: 2 });
  });

  it("ollama chat", async () => {
    server = await startScriptedProvider({ protocol: "ollama", turns: [turn] });
    const client = new Ollama({ host: server.baseURL });
    const response = await client.chat({ model: "m", messages: [{ role: "user", content: "q" }], stream: false });
    expect(response.message.content).toBe("plain answer");
    expect(response.message.tool_calls![0]!.function).toEqual({ name: "read_file", arguments: { path: "a" } });
    expect(response.done).toBe(true);
    expect(response.prompt_eval_count).toBe(7);
  });

  it("an error status carries the protocol's error body and retry-after", async () => {
    server = await startScriptedProvider({ protocol: "openai", turns: [{ status: 429, retryAfter: 7 }] });
    const response = await fetch(`${server.baseURL}/chat/completions`, { method: "POST", body: "{}" });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/Rate limit/);
  });
});

// Each adapter through its real SDK against a scripted server speaking the real wire format.
import { afterEach, describe, expect, it } from "vitest";
import { collect } from "../../../server/providers/index.ts";
import type { Message } from "../../../server/providers/types.ts";
import { clientFor, TOOLS } from "../../support/providers/client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptProtocol } from "../../support/providers/scripted-server.ts";

let server: ScriptedProvider | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const protocols: ScriptProtocol[] = ["openai", "anthropic", "ollama"];

const history: Message[] = [
  { role: "user", content: "Open a.ts" },
  { role: "assistant", content: "Reading it.", toolCalls: [{ id: "call_1", name: "read_file", input: { path: "a.ts" } }] },
  { role: "tool", toolCallId: "call_1", toolName: "read_file", content: "export const a = 1;" },
  { role: "user", content: "Now explain it" },
];

describe.each(protocols)("%s adapter", (protocol) => {
  it("streams text in chunks, then usage and end_turn", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: "Hello there, this is a scripted answer.", usage: { input: 120, output: 9, cached: 100 } }] });
    const client = clientFor(server);
    const result = await collect(client.stream("test/model-x", { system: "You are terse.", messages: [{ role: "user", content: "hi" }], maxTokens: 256, temperature: 0.2 }));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("Hello there, this is a scripted answer.");
    expect(result.events.filter((e) => e.type === "text").length).toBeGreaterThan(3);
    expect(result.stop).toBe("end_turn");
    expect(result.usage?.inputTokens).toBe(120);
    expect(result.usage?.outputTokens).toBe(9);
    expect(result.usage?.cachedTokens).toBe(protocol === "ollama" ? 0 : 100);
    expect(result.events.at(-1)).toEqual({ type: "stop", reason: "end_turn" });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body.model).toBe("model-x");
  });

  it("assembles tool calls whose arguments arrive split across many chunks", async () => {
    const args = { path: "src/deeply/nested/file.ts", old: "const x = 1;\n", new: "const x = 2; // \"quoted\" ünïcode" };
    server = await startScriptedProvider({
      protocol,
      turns: [{ text: "Let me edit.", toolCalls: [{ id: "call_a", name: "edit", arguments: args, chunks: 17 }, { id: "call_b", name: "read_file", arguments: { path: "b.ts" }, chunks: 5 }] }],
    });
    const client = clientFor(server);
    const result = await collect(client.stream("test/m", { messages: [{ role: "user", content: "edit" }], tools: TOOLS }));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("Let me edit.");
    expect(result.toolCalls.map((c) => c.name)).toEqual(["edit", "read_file"]);
    expect(result.toolCalls[0]!.input).toEqual(args);
    expect(result.toolCalls[1]!.input).toEqual({ path: "b.ts" });
    if (protocol !== "ollama") expect(result.toolCalls.map((c) => c.id)).toEqual(["call_a", "call_b"]);
    else expect(new Set(result.toolCalls.map((c) => c.id)).size).toBe(2);
    expect(result.stop).toBe("tool_use");
  });

  it("sends system prompt, history with tool calls and results, and tools in the protocol's shape", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: "It exports a constant." }] });
    const client = clientFor(server);
    const result = await collect(client.stream("test/m", { system: "SYSTEM PROMPT", messages: history, tools: TOOLS, maxTokens: 1000, temperature: 0.5 }));
    expect(result.text).toBe("It exports a constant.");
    const body = server.requests[0]!.body;
    if (protocol === "openai") {
      expect(body.stream).toBe(true);
      expect(body.stream_options).toEqual({ include_usage: true });
      expect(body.messages[0]).toEqual({ role: "system", content: "SYSTEM PROMPT" });
      expect(body.messages[2].tool_calls[0]).toEqual({ id: "call_1", type: "function", function: { name: "read_file", arguments: '{"path":"a.ts"}' } });
      expect(body.messages[3]).toEqual({ role: "tool", tool_call_id: "call_1", content: "export const a = 1;" });
      expect(body.tools[0]).toEqual({ type: "function", function: { name: "read_file", description: "Read a file", parameters: TOOLS[0]!.inputSchema } });
      expect(body.max_tokens).toBe(1000);
      expect(body.temperature).toBe(0.5);
    } else if (protocol === "anthropic") {
      expect(body.stream).toBe(true);
      expect(body.system).toEqual([{ type: "text", text: "SYSTEM PROMPT", cache_control: { type: "ephemeral" } }]);
      expect(body.tools.at(-1).cache_control).toEqual({ type: "ephemeral" });
      expect(body.tools[0]).toMatchObject({ name: "read_file", input_schema: TOOLS[0]!.inputSchema });
      expect(body.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant", "user"]);
      expect(body.messages[1].content).toEqual([{ type: "text", text: "Reading it." }, { type: "tool_use", id: "call_1", name: "read_file", input: { path: "a.ts" } }]);
      expect(body.messages[2].content[0]).toEqual({ type: "tool_result", tool_use_id: "call_1", content: "export const a = 1;" });
      expect(body.messages[2].content[1]).toEqual({ type: "text", text: "Now explain it" });
      expect(body.max_tokens).toBe(1000);
      const h = server.requests[0]!.headers;
      expect(h["x-api-key"] ?? h.authorization).toMatch(/^(Bearer )?test-key$/); // this SDK version sends the key as a bearer token
      expect(h["anthropic-version"]).toBeTruthy();
    } else {
      expect(body.stream).toBe(true);
      expect(body.messages[0]).toEqual({ role: "system", content: "SYSTEM PROMPT" });
      expect(body.messages[2].tool_calls[0]).toEqual({ function: { name: "read_file", arguments: { path: "a.ts" } } });
      expect(body.messages[3]).toEqual({ role: "tool", content: "export const a = 1;", tool_name: "read_file" });
      expect(body.tools[1].function.name).toBe("edit");
      expect(body.options).toEqual({ temperature: 0.5, num_predict: 1000 });
    }
  });

  it("streams reasoning separately from text", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ reasoning: "Think step by step.", text: "Answer." }] });
    const result = await collect(clientFor(server).stream("test/m", { messages: [{ role: "user", content: "q" }] }));
    expect(result.reasoning).toBe("Think step by step.");
    expect(result.text).toBe("Answer.");
  });

  it("reports max_tokens as the stop reason", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: "Truncated", stopReason: "max_tokens" }] });
    const result = await collect(clientFor(server).stream("test/m", { messages: [{ role: "user", content: "q" }] }));
    expect(result.stop).toBe("max_tokens");
  });

  it("cancelling the signal mid-stream closes the HTTP connection and ends the iterator promptly", async () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i} `);
    server = await startScriptedProvider({ protocol, turns: [{ text: words, chunkDelayMs: 20 }] });
    const controller = new AbortController();
    const events: string[] = [];
    let abortedAt = 0;
    for await (const event of clientFor(server).stream("test/m", { messages: [{ role: "user", content: "q" }], signal: controller.signal })) {
      events.push(event.type === "stop" ? `stop:${event.reason}` : event.type);
      if (events.length === 3) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const endedAfter = performance.now() - abortedAt;
    expect(endedAfter).toBeLessThan(200);
    expect(events.at(-1)).toBe("stop:cancelled");
    expect(events.filter((e) => e === "text").length).toBeLessThan(10);
    expect(await server.requests[0]!.done).toBe("aborted");
  });

  it("cancelling while waiting for the first token aborts the request", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: "late", firstTokenDelayMs: 5000 }] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const result = await collect(clientFor(server).stream("test/m", { messages: [{ role: "user", content: "q" }], signal: controller.signal }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.stop).toBe("cancelled");
    expect(await server.requests[0]!.done).toBe("aborted");
  });

  it("breaking out of the loop closes the HTTP stream", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: Array.from({ length: 100 }, (_, i) => `w${i} `), chunkDelayMs: 20 }] });
    let seen = 0;
    for await (const event of clientFor(server).stream("test/m", { messages: [{ role: "user", content: "q" }] })) {
      if (event.type === "text" && ++seen === 2) break;
    }
    expect(await server.requests[0]!.done).toBe("aborted");
  });
});


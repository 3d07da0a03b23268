// Anthropic messages through @anthropic-ai/sdk, with prompt caching on the system prompt and the tool
// definitions. The SDK is loaded on first use only.
import type AnthropicClient from "@anthropic-ai/sdk";
import { ProviderError, toProviderError } from "../errors.ts";
import type { Adapter, ChunkDecoder, EndpointTarget, Message, StopReason, StreamEvent, ToolDefinition } from "../types.ts";
import { openWatched, parseToolArguments } from "./watchdog.ts";

let sdk: Promise<typeof import("@anthropic-ai/sdk")> | undefined;
const clients = new Map<string, AnthropicClient>();

async function clientFor(target: EndpointTarget): Promise<AnthropicClient> {
  const key = `${target.baseURL}\0${target.apiKey ?? ""}\0${JSON.stringify(target.headers ?? {})}`;
  const cached = clients.get(key);
  if (cached) return cached;
  const { default: Anthropic } = await (sdk ??= import("@anthropic-ai/sdk"));
  const client = new Anthropic({
    apiKey: target.apiKey || "not-needed",
    baseURL: target.baseURL,
    maxRetries: 0,
    timeout: 10 * 60_000,
    defaultHeaders: target.headers ?? {},
    logLevel: "off",
  });
  if (clients.size > 64) clients.clear();
  clients.set(key, client);
  return client;
}

type Block = Record<string, unknown>;

export function toAnthropicMessages(messages: Message[]): { role: "user" | "assistant"; content: Block[] }[] {
  const out: { role: "user" | "assistant"; content: Block[] }[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    const prev = out[out.length - 1];
    if (prev && prev.role === role) prev.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === "user") push("user", [{ type: "text", text: m.content }]);
    else if (m.role === "assistant") {
      const blocks: Block[] = [];
      if (m.content) blocks.push({ type: "text", text: m.content });
      for (const c of m.toolCalls ?? []) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.input });
      if (blocks.length) push("assistant", blocks);
    } else {
      const block: Block = { type: "tool_result", tool_use_id: m.toolCallId, content: m.content };
      if (m.isError) block.is_error = true;
      push("user", [block]);
    }
  }
  return out;
}

export function toAnthropicTools(tools: ToolDefinition[]): Block[] {
  return tools.map((t, i) => {
    const tool: Block = { name: t.name, description: t.description, input_schema: t.inputSchema };
    // One breakpoint after the last tool caches every tool definition.
    if (i === tools.length - 1) tool.cache_control = { type: "ephemeral" };
    return tool;
  });
}

const STOP: Record<string, StopReason> = { end_turn: "end_turn", tool_use: "tool_use", max_tokens: "max_tokens", stop_sequence: "stop_sequence", refusal: "refusal", pause_turn: "other" };

export const openAnthropic: Adapter = async (target, request, signal) => {
  if (request.fim) throw new ProviderError("bad_request", `${target.provider}: no fill-in-the-middle endpoint (ask in a prompt instead)`, { provider: target.provider, endpoint: target.baseURL });
  const shared = await clientFor(target);
  const params: Record<string, unknown> = {
    model: target.model,
    max_tokens: request.maxTokens ?? Math.min(target.maxOutput ?? 8192, 8192),
    messages: toAnthropicMessages(request.messages),
    stream: true,
  };
  if (request.system) params.system = [{ type: "text", text: request.system, cache_control: { type: "ephemeral" } }];
  if (request.tools?.length) params.tools = toAnthropicTools(request.tools);
  if (request.temperature !== undefined) params.temperature = request.temperature;

  const { chunks, dog, stalled, where } = await openWatched(target, signal, (fetch) => shared.withOptions({ fetch }).messages.create(params as never));

  let input = 0;
  let cached = 0;
  let output = 0;
  let stop: string | undefined;
  let complete = false;
  let toolCalls = 0;
  const tools = new Map<number, { id: string; name: string; json: string }>();
  const decoder: ChunkDecoder = {
    chunks,
    decode(event: any, out: StreamEvent[]) {
      dog.tick();
      switch (event.type) {
        case "content_block_delta": {
          const delta = event.delta;
          if (delta.type === "text_delta") out.push({ type: "text", text: delta.text });
          else if (delta.type === "input_json_delta") {
            const tool = tools.get(event.index);
            if (tool) tool.json += delta.partial_json;
          } else if (delta.type === "thinking_delta") out.push({ type: "reasoning", text: delta.thinking });
          break;
        }
        case "message_start": {
          const u = event.message?.usage ?? {};
          cached = u.cache_read_input_tokens ?? 0;
          input = (u.input_tokens ?? 0) + cached + (u.cache_creation_input_tokens ?? 0);
          output = u.output_tokens ?? 0;
          break;
        }
        case "content_block_start":
          if (event.content_block?.type === "tool_use") tools.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: "" });
          break;
        case "content_block_stop": {
          const tool = tools.get(event.index);
          if (tool) {
            tools.delete(event.index);
            const args = parseToolArguments(tool.json);
            if (!args) throw new ProviderError("stream", `${target.provider}: tool call ${tool.name} has malformed JSON arguments`, where);
            toolCalls++;
            out.push({ type: "tool_call", id: tool.id, name: tool.name, input: args });
          }
          break;
        }
        case "message_delta":
          if (event.delta?.stop_reason) stop = event.delta.stop_reason;
          if (event.usage?.output_tokens !== undefined) output = event.usage.output_tokens;
          if (event.usage?.input_tokens) input = event.usage.input_tokens + cached;
          break;
        case "message_stop":
          complete = true;
          break;
      }
    },
    end(out) {
      if (dog.stalled) throw stalled();
      if (!complete) throw new ProviderError("stream", `${target.provider}: the stream ended before the response was complete`, where);
      out.push({ type: "usage", inputTokens: input, outputTokens: output, cachedTokens: cached });
      out.push({ type: "stop", reason: (stop ? STOP[stop] : undefined) ?? (toolCalls ? "tool_use" : "other") });
    },
    fail: (error) => (dog.stalled && !(error instanceof ProviderError) ? stalled() : toProviderError(error, target)),
    close() {
      dog.dispose();
      void chunks.return?.().catch(() => undefined);
    },
  };
  return decoder;
};

// OpenAI chat completions (and every OpenAI-compatible service, by baseURL) through the openai SDK;
// fill-in-the-middle requests go to the completions endpoint. The SDK is loaded on first use only.
import type OpenAIClient from "openai";
import { ProviderError, toProviderError } from "../errors.ts";
import type { Adapter, ChunkDecoder, EndpointTarget, Message, StopReason, StreamEvent } from "../types.ts";
import { openWatched, parseToolArguments } from "./watchdog.ts";

let sdk: Promise<typeof import("openai")> | undefined;
const clients = new Map<string, OpenAIClient>();

async function clientFor(target: EndpointTarget): Promise<OpenAIClient> {
  const key = `${target.baseURL}\0${target.apiKey ?? ""}\0${target.authHeader ?? ""}\0${JSON.stringify(target.headers ?? {})}`;
  const cached = clients.get(key);
  if (cached) return cached;
  const { default: OpenAI } = await (sdk ??= import("openai"));
  const headers: Record<string, string> = { ...(target.headers ?? {}) };
  if (target.authHeader && target.apiKey) headers[target.authHeader] = target.apiKey;
  const client = new OpenAI({
    apiKey: target.apiKey || "not-needed",
    baseURL: target.baseURL,
    maxRetries: 0, // the router retries, across endpoints
    timeout: 10 * 60_000,
    defaultHeaders: headers,
    logLevel: "off",
  });
  if (clients.size > 64) clients.clear();
  clients.set(key, client);
  return client;
}

type ChatMessage = Record<string, unknown>;

export function toOpenAIMessages(system: string | undefined, messages: Message[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const m of messages) {
    if (m.role === "user") out.push({ role: "user", content: m.content });
    else if (m.role === "assistant") {
      const msg: ChatMessage = { role: "assistant", content: m.content || null };
      if (m.toolCalls?.length) msg.tool_calls = m.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.input) } }));
      out.push(msg);
    } else out.push({ role: "tool", tool_call_id: m.toolCallId, content: m.isError ? `Error: ${m.content}` : m.content });
  }
  return out;
}

const STOP: Record<string, StopReason> = { stop: "end_turn", tool_calls: "tool_use", function_call: "tool_use", length: "max_tokens", content_filter: "refusal" };

interface PendingCall {
  id: string;
  name: string;
  args: string;
}

export const openOpenAI: Adapter = async (target, request, signal) => {
  const shared = await clientFor(target);
  // Fill in the middle: the completions endpoint with a suffix (DeepSeek, llama.cpp, vLLM...).
  const fim = request.fim;
  const params: Record<string, unknown> = {
    model: target.model,
    ...(fim ? { prompt: fim.prefix, suffix: fim.suffix } : { messages: toOpenAIMessages(request.system, request.messages) }),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.tools?.length && !fim) params.tools = request.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
  if (request.maxTokens !== undefined) params[!fim && (target.provider === "openai" || target.provider === "azure") ? "max_completion_tokens" : "max_tokens"] = request.maxTokens;
  if (request.temperature !== undefined) params.temperature = request.temperature;

  const { chunks, dog, stalled, where } = await openWatched(target, signal, (fetch) => {
    const sdk = shared.withOptions({ fetch });
    return fim ? sdk.completions.create(params as never) : sdk.chat.completions.create(params as never);
  });

  const calls: PendingCall[] = [];
  let finish: string | undefined;
  let usage: any;
  const decoder: ChunkDecoder = {
    chunks,
    decode(chunk: any, out: StreamEvent[]) {
      dog.tick();
      const choice = chunk.choices?.[0];
      if (choice !== undefined) {
        if (fim && choice.text) out.push({ type: "text", text: choice.text });
        const delta = choice.delta;
        if (delta) {
          if (delta.content) out.push({ type: "text", text: delta.content });
          const reasoning = delta.reasoning_content ?? delta.reasoning;
          if (reasoning) out.push({ type: "reasoning", text: reasoning });
          if (delta.tool_calls) {
            for (const tc of delta.tool_calls) {
              const index: number = tc.index ?? calls.length;
              let call = calls[index];
              if (!call) call = calls[index] = { id: tc.id ?? `call_${index}`, name: "", args: "" };
              if (tc.id) call.id = tc.id;
              if (tc.function?.name) call.name += tc.function.name;
              if (tc.function?.arguments) call.args += tc.function.arguments;
            }
          }
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    },
    end(out) {
      if (dog.stalled) throw stalled();
      if (finish === undefined) throw new ProviderError("stream", `${target.provider}: the stream ended before the response was complete`, where);
      for (const call of calls) {
        if (!call) continue;
        const input = parseToolArguments(call.args);
        if (!input) throw new ProviderError("stream", `${target.provider}: tool call ${call.name} has malformed JSON arguments`, where);
        out.push({ type: "tool_call", id: call.id, name: call.name, input });
      }
      if (usage) {
        out.push({ type: "usage", inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0 });
      }
      out.push({ type: "stop", reason: STOP[finish] ?? (calls.length ? "tool_use" : "other") });
    },
    fail: (error) => (dog.stalled && !(error instanceof ProviderError) ? stalled() : toProviderError(error, target)),
    close() {
      dog.dispose();
      void chunks.return?.().catch(() => undefined);
    },
  };
  return decoder;
};

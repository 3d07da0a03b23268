// Ollama /api/chat (NDJSON; /api/generate for fill-in-the-middle) through the ollama SDK, loaded on first use only. The SDK gets a fetch
// that carries our AbortSignal, remembers retry-after, and errors the body on a malformed NDJSON line
// (the SDK itself would skip it with a console warning).
import { ProviderError, parseRetryAfter, toProviderError } from "../errors.ts";
import type { Adapter, ChunkDecoder, Message, StreamEvent } from "../types.ts";
import { watchdog } from "./watchdog.ts";

let sdk: Promise<typeof import("ollama")> | undefined;

export function toOllamaMessages(system: string | undefined, messages: Message[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (system) out.push({ role: "system", content: system });
  for (const m of messages) {
    if (m.role === "user") out.push({ role: "user", content: m.content });
    else if (m.role === "assistant") {
      const msg: Record<string, unknown> = { role: "assistant", content: m.content };
      if (m.toolCalls?.length) msg.tool_calls = m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.input } }));
      out.push(msg);
    } else out.push({ role: "tool", content: m.isError ? `Error: ${m.content}` : m.content, tool_name: m.toolName });
  }
  return out;
}

/**
 * Passes NDJSON through line by line; at the first line that is not JSON it emits the good lines
 * before it, then one `{"error": ...}` line (which the SDK raises as an error) and ends the body.
 */
function validateNdjson(onMalformed: (message: string) => void): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = "";
  let failed = false;
  const emit = (text: string, controller: TransformStreamDefaultController<Uint8Array>): void => {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      if (line.trim() !== "") {
        try {
          JSON.parse(line);
        } catch {
          const message = `malformed NDJSON line: ${line.slice(0, 120)}`;
          failed = true;
          onMalformed(message);
          controller.enqueue(encoder.encode(`${text.slice(0, start)}${JSON.stringify({ error: message })}\n`));
          controller.terminate();
          return;
        }
      }
      start = end + 1;
    }
    controller.enqueue(encoder.encode(text));
  };
  return new TransformStream({
    transform(chunk, controller) {
      if (failed) return;
      buffer += decoder.decode(chunk, { stream: true });
      const end = buffer.lastIndexOf("\n");
      if (end < 0) return;
      const complete = buffer.slice(0, end + 1);
      buffer = buffer.slice(end + 1);
      emit(complete, controller);
    },
    flush(controller) {
      if (failed) return;
      const rest = buffer + decoder.decode();
      if (rest.trim()) emit(rest, controller);
    },
  });
}

export const openOllama: Adapter = async (target, request, signal) => {
  const { Ollama } = await (sdk ??= import("ollama"));
  const dog = watchdog(signal, target.idleTimeoutMs);
  let retryAfterMs: number | undefined;
  let malformed: string | undefined;
  const fetchWith = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const merged = init?.signal ? AbortSignal.any([init.signal, dog.signal]) : dog.signal;
    const response = await fetch(input, { ...init, signal: merged });
    if (!response.ok) {
      retryAfterMs = parseRetryAfter(response.headers);
      return response;
    }
    if (!response.body) return response;
    const body = response.body.pipeThrough(validateNdjson((message) => (malformed = message)), { signal: merged });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const headers: Record<string, string> = { ...(target.headers ?? {}) };
  if (target.apiKey) headers.Authorization = `Bearer ${target.apiKey}`;
  const client = new Ollama({ host: target.baseURL, fetch: fetchWith as typeof fetch, headers });
  const where = { provider: target.provider, endpoint: target.baseURL };
  // Fill in the middle: /api/generate with a suffix (the model's template places it).
  const fim = request.fim;
  const params: Record<string, unknown> = fim
    ? { model: target.model, prompt: fim.prefix, suffix: fim.suffix, stream: true }
    : { model: target.model, messages: toOllamaMessages(request.system, request.messages), stream: true };
  if (request.tools?.length && !fim) params.tools = request.tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
  const options: Record<string, unknown> = {};
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (Object.keys(options).length) params.options = options;

  const fail = (error: unknown): Error => {
    if (error instanceof ProviderError) return error;
    if (malformed) return new ProviderError("stream", `${target.provider}: malformed stream from ${target.baseURL}: ${malformed}`, where);
    if (dog.stalled) return new ProviderError("timeout", `${target.provider}: the stream stalled (no data for ${target.idleTimeoutMs} ms)`, where);
    return toProviderError(error, target, retryAfterMs === undefined ? {} : { retryAfterMs });
  };
  let chunks: AsyncIterator<any>;
  try {
    const stream = fim ? await client.generate(params as never) : await client.chat(params as never);
    chunks = (stream as AsyncIterable<any>)[Symbol.asyncIterator]();
  } catch (error) {
    dog.dispose();
    throw fail(error);
  }

  let toolCalls = 0;
  let done = false;
  const decoder: ChunkDecoder = {
    chunks,
    decode(part: any, out: StreamEvent[]) {
      dog.tick();
      if (fim && part.response) out.push({ type: "text", text: part.response });
      const message = part.message;
      if (message) {
        if (message.thinking) out.push({ type: "reasoning", text: message.thinking });
        if (message.content) out.push({ type: "text", text: message.content });
        if (message.tool_calls) {
          for (const call of message.tool_calls) {
            const args = call.function?.arguments;
            out.push({ type: "tool_call", id: call.id ?? `call_${toolCalls}`, name: call.function?.name ?? "", input: args && typeof args === "object" ? args : {} });
            toolCalls++;
          }
        }
      }
      if (part.done) {
        done = true;
        out.push({ type: "usage", inputTokens: part.prompt_eval_count ?? 0, outputTokens: part.eval_count ?? 0, cachedTokens: 0 });
        out.push({ type: "stop", reason: part.done_reason === "length" ? "max_tokens" : toolCalls ? "tool_use" : "end_turn" });
      }
    },
    end() {
      if (!done) throw fail(new ProviderError("stream", `${target.provider}: the stream ended before the response was complete`, where));
    },
    fail,
    close() {
      // The SDK's iterator does not abort its request on return(): abort the fetch ourselves.
      if (!done) dog.abort();
      dog.dispose();
      void chunks.return?.(undefined).catch(() => undefined);
    },
  };
  return decoder;
};

// Scripted model provider servers on 127.0.0.1 that speak the real wire formats, so tests drive the
// real SDKs over real HTTP:
//   OpenAI chat completions  POST /v1/chat/completions   SSE (stream: true) or JSON
//   Anthropic messages       POST /v1/messages           SSE (stream: true) or JSON
//   Ollama chat              POST /api/chat              NDJSON (stream: true) or JSON
//   fill in the middle       POST /v1/completions, /api/generate (fim-frames.ts)
// One server answers all three paths; `protocol` only picks the baseURL it reports. Each chat request
// consumes the next scripted turn (the last turn repeats once the script runs out), and every request
// is recorded so tests can assert what the model was sent.
//
// Only erasable TypeScript here: the file also runs directly under node (serve.ts).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type FimEnd, ollamaGenerateFrames, ollamaGenerateJson, openaiCompletionFrames, openaiCompletionJson } from "./fim-frames.ts";

export type ScriptProtocol = "openai" | "anthropic" | "ollama";

export interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: Record<string, unknown> | string;
  /** Split the JSON arguments over this many chunks (openai, anthropic). Default 6. */
  chunks?: number;
}

export interface ScriptedTurn {
  /** A string is streamed word by word; an array is streamed chunk by chunk. */
  text?: string | string[];
  reasoning?: string | string[];
  toolCalls?: ScriptedToolCall[];
  usage?: { input?: number; output?: number; cached?: number };
  /** Default: tool_use when there are tool calls, else end_turn. refusal: OpenAI's content_filter, Anthropic's refusal. */
  stopReason?: "end_turn" | "tool_use" | "max_tokens" | "refusal";
  /** Answer with this HTTP error status instead (401, 429, 500...). */
  status?: number;
  /** Seconds, sent as `retry-after` with an error status. */
  retryAfter?: number;
  errorMessage?: string;
  /** Delay before the response headers and first chunk. */
  firstTokenDelayMs?: number;
  /** Delay between chunks. */
  chunkDelayMs?: number;
  /** Destroy the connection after this many content chunks (a stream cut mid-way). */
  cutAfterChunks?: number;
  /** After the first content chunk: "json" sends an unparseable data line and then stalls; "garbage" sends non-protocol lines and ends the response. */
  malformed?: "json" | "garbage";
  /** Send the content, then stall without finishing. */
  hang?: boolean;
  /** After this many content chunks, send the protocol's in-stream error (Anthropic `event: error`, an OpenAI `data: {"error"}`, an Ollama `{"error"}` line) and end. */
  errorAfterChunks?: number;
  /** The in-stream error's type (default "overloaded_error"). */
  errorType?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  finished: boolean;
  /** Resolves when the response ends or the connection closes. */
  done: Promise<"finished" | "aborted">;
  /** performance.now() in the server's process when the request's headers arrived (benchmarks). */
  receivedAt?: number;
  /** performance.now() when the first content chunk was handed to the socket (benchmarks). */
  firstChunkAt?: number;
}

export interface ScriptedProviderOptions {
  protocol?: ScriptProtocol;
  turns?: ScriptedTurn[];
  port?: number;
  /** Computes the turn from the request (an answer that depends on the prompt); undefined: the script's next turn. */
  reply?: (request: RecordedRequest) => ScriptedTurn | undefined;
  /** Extra GET routes (e.g. "/api/ps", "/metrics"): a string is served as text, anything else as JSON. */
  get?: Record<string, unknown>;
}

export interface ScriptedProvider {
  protocol: ScriptProtocol;
  port: number;
  /** The baseURL to give the SDK of `protocol`. */
  baseURL: string;
  /** baseURL per protocol, for the same server. */
  baseURLs: Record<ScriptProtocol, string>;
  /** Chat requests received, in order. */
  requests: RecordedRequest[];
  /** Replace the remaining script. */
  setTurns(turns: ScriptedTurn[]): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function chunksOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  return value.match(/\S+\s*|\s+/g) ?? [];
}

function splitInto(text: string, parts: number): string[] {
  const n = Math.max(1, Math.min(parts, text.length));
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
}

function argsJson(call: ScriptedToolCall): string {
  return typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
}

function stopReasonOf(turn: ScriptedTurn): NonNullable<ScriptedTurn["stopReason"]> {
  return turn.stopReason ?? (turn.toolCalls?.length ? "tool_use" : "end_turn");
}

/** One frame of the response body, and whether it carries content (counted for cutAfterChunks). */
interface Frame {
  data: string;
  content: boolean;
}

const created = 1_700_000_000;

function openaiFrames(turn: ScriptedTurn, model: string, includeUsage: boolean): Frame[] {
  const frames: Frame[] = [];
  const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra })}\n\n`;
  frames.push({ data: chunk({ role: "assistant", content: "" }), content: false });
  for (const r of chunksOf(turn.reasoning)) frames.push({ data: chunk({ reasoning_content: r }), content: true });
  for (const t of chunksOf(turn.text)) frames.push({ data: chunk({ content: t }), content: true });
  (turn.toolCalls ?? []).forEach((call, index) => {
    const parts = splitInto(argsJson(call), call.chunks ?? 6);
    frames.push({ data: chunk({ tool_calls: [{ index, id: call.id ?? `call_${index}`, type: "function", function: { name: call.name, arguments: "" } }] }), content: true });
    for (const part of parts) frames.push({ data: chunk({ tool_calls: [{ index, function: { arguments: part } }] }), content: true });
  });
  const finish = { end_turn: "stop", tool_use: "tool_calls", max_tokens: "length", refusal: "content_filter" }[stopReasonOf(turn)];
  frames.push({ data: chunk({}, finish), content: false });
  if (includeUsage) {
    const u = turn.usage ?? {};
    const usage = { prompt_tokens: u.input ?? 0, completion_tokens: u.output ?? 0, total_tokens: (u.input ?? 0) + (u.output ?? 0), prompt_tokens_details: { cached_tokens: u.cached ?? 0 } };
    frames.push({ data: `data: ${JSON.stringify({ id: "chatcmpl-scripted", object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`, content: false });
  }
  frames.push({ data: "data: [DONE]\n\n", content: false });
  return frames;
}

function openaiJson(turn: ScriptedTurn, model: string): unknown {
  const u = turn.usage ?? {};
  const toolCalls = (turn.toolCalls ?? []).map((call, i) => ({ id: call.id ?? `call_${i}`, type: "function", function: { name: call.name, arguments: argsJson(call) } }));
  const message: Record<string, unknown> = { role: "assistant", content: chunksOf(turn.text).join("") || null, refusal: null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: "chatcmpl-scripted",
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message, finish_reason: { end_turn: "stop", tool_use: "tool_calls", max_tokens: "length", refusal: "content_filter" }[stopReasonOf(turn)], logprobs: null }],
    usage: { prompt_tokens: u.input ?? 0, completion_tokens: u.output ?? 0, total_tokens: (u.input ?? 0) + (u.output ?? 0), prompt_tokens_details: { cached_tokens: u.cached ?? 0 } },
  };
}

function anthropicFrames(turn: ScriptedTurn, model: string): Frame[] {
  const frames: Frame[] = [];
  const ev = (type: string, body: Record<string, unknown>, content = false) => frames.push({ data: `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`, content });
  const u = turn.usage ?? {};
  const cached = u.cached ?? 0;
  ev("message_start", {
    message: { id: "msg_scripted", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: Math.max(0, (u.input ?? 0) - cached), output_tokens: 1, cache_read_input_tokens: cached, cache_creation_input_tokens: 0 } },
  });
  let index = 0;
  const reasoning = chunksOf(turn.reasoning);
  if (reasoning.length) {
    ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
    for (const r of reasoning) ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: r } }, true);
    ev("content_block_delta", { index, delta: { type: "signature_delta", signature: "c2lnbmF0dXJl" } });
    ev("content_block_stop", { index });
    index++;
  }
  const text = chunksOf(turn.text);
  if (text.length) {
    ev("content_block_start", { index, content_block: { type: "text", text: "" } });
    if (index === 0) frames.push({ data: `event: ping\ndata: {"type": "ping"}\n\n`, content: false });
    for (const t of text) ev("content_block_delta", { index, delta: { type: "text_delta", text: t } }, true);
    ev("content_block_stop", { index });
    index++;
  }
  for (const [i, call] of (turn.toolCalls ?? []).entries()) {
    ev("content_block_start", { index, content_block: { type: "tool_use", id: call.id ?? `toolu_${i}`, name: call.name, input: {} } }, true);
    for (const part of splitInto(argsJson(call), call.chunks ?? 6)) ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } }, true);
    ev("content_block_stop", { index });
    index++;
  }
  ev("message_delta", { delta: { stop_reason: stopReasonOf(turn), stop_sequence: null }, usage: { output_tokens: u.output ?? 0 } });
  ev("message_stop", {});
  return frames;
}

function anthropicJson(turn: ScriptedTurn, model: string): unknown {
  const u = turn.usage ?? {};
  const cached = u.cached ?? 0;
  const content: unknown[] = [];
  const reasoning = chunksOf(turn.reasoning).join("");
  if (reasoning) content.push({ type: "thinking", thinking: reasoning, signature: "c2lnbmF0dXJl" });
  const text = chunksOf(turn.text).join("");
  if (text) content.push({ type: "text", text });
  for (const [i, call] of (turn.toolCalls ?? []).entries()) content.push({ type: "tool_use", id: call.id ?? `toolu_${i}`, name: call.name, input: typeof call.arguments === "string" ? JSON.parse(call.arguments) : call.arguments });
  return {
    id: "msg_scripted", type: "message", role: "assistant", model, content, stop_reason: stopReasonOf(turn), stop_sequence: null,
    usage: { input_tokens: Math.max(0, (u.input ?? 0) - cached), output_tokens: u.output ?? 0, cache_read_input_tokens: cached, cache_creation_input_tokens: 0 },
  };
}

function ollamaFrames(turn: ScriptedTurn, model: string): Frame[] {
  const frames: Frame[] = [];
  const line = (message: Record<string, unknown>, done = false, extra: Record<string, unknown> = {}) =>
    `${JSON.stringify({ model, created_at: "2026-01-01T00:00:00Z", message: { role: "assistant", content: "", ...message }, done, ...extra })}\n`;
  for (const r of chunksOf(turn.reasoning)) frames.push({ data: line({ thinking: r }), content: true });
  for (const t of chunksOf(turn.text)) frames.push({ data: line({ content: t }), content: true });
  const calls = turn.toolCalls ?? [];
  if (calls.length) {
    const toolCalls = calls.map((call) => ({ function: { name: call.name, arguments: typeof call.arguments === "string" ? JSON.parse(call.arguments) : call.arguments } }));
    frames.push({ data: line({ tool_calls: toolCalls }), content: true });
  }
  const u = turn.usage ?? {};
  const reason = stopReasonOf(turn) === "max_tokens" ? "length" : "stop";
  frames.push({ data: line({}, true, { done_reason: reason, total_duration: 1000, load_duration: 10, prompt_eval_count: u.input ?? 0, prompt_eval_duration: 100, eval_count: u.output ?? 0, eval_duration: 500 }), content: false });
  return frames;
}

function ollamaJson(turn: ScriptedTurn, model: string): unknown {
  const u = turn.usage ?? {};
  const message: Record<string, unknown> = { role: "assistant", content: chunksOf(turn.text).join("") };
  const reasoning = chunksOf(turn.reasoning).join("");
  if (reasoning) message.thinking = reasoning;
  if (turn.toolCalls?.length) message.tool_calls = turn.toolCalls.map((call) => ({ function: { name: call.name, arguments: typeof call.arguments === "string" ? JSON.parse(call.arguments) : call.arguments } }));
  return { model, created_at: "2026-01-01T00:00:00Z", message, done: true, done_reason: stopReasonOf(turn) === "max_tokens" ? "length" : "stop", total_duration: 1000, load_duration: 10, prompt_eval_count: u.input ?? 0, prompt_eval_duration: 100, eval_count: u.output ?? 0, eval_duration: 500 };
}

function errorBody(protocol: ScriptProtocol, status: number, message: string): unknown {
  if (protocol === "anthropic") {
    const type = status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : "invalid_request_error";
    return { type: "error", error: { type, message } };
  }
  if (protocol === "ollama") return { error: message };
  const type = status === 401 ? "invalid_request_error" : status === 429 ? "rate_limit_exceeded" : "server_error";
  return { error: { message, type, param: null, code: status === 401 ? "invalid_api_key" : null } };
}

function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(data, () => resolve());
  });
}

export async function startScriptedProvider(options: ScriptedProviderOptions = {}): Promise<ScriptedProvider> {
  const protocol = options.protocol ?? "openai";
  let turns: ScriptedTurn[] = [...(options.turns ?? [{ text: "ok" }])];
  let last: ScriptedTurn = turns[0] ?? { text: "ok" };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const nextTurn = (): ScriptedTurn => {
    const turn = turns.shift();
    if (turn) last = turn;
    return turn ?? last;
  };

  async function respond(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, proto: ScriptProtocol): Promise<void> {
    const turn = options.reply?.(record) ?? nextTurn();
    const body = record.body ?? {};
    const model = typeof body.model === "string" ? body.model : "scripted";
    const stream = proto === "ollama" ? body.stream !== false : body.stream === true;
    if (turn.firstTokenDelayMs) await sleep(turn.firstTokenDelayMs);
    if (res.destroyed) return;
    if (turn.status && turn.status >= 400) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (turn.retryAfter !== undefined) headers["retry-after"] = String(turn.retryAfter);
      res.writeHead(turn.status, headers);
      res.end(JSON.stringify(errorBody(proto, turn.status, turn.errorMessage ?? (turn.status === 401 ? "Invalid API key" : turn.status === 429 ? "Rate limit exceeded" : "Internal error"))));
      return;
    }
    const fim = record.path.endsWith("/completions") && !record.path.endsWith("/chat/completions") ? "openai" : record.path === "/api/generate" ? "ollama" : undefined;
    const fimEnd: FimEnd = { finish: stopReasonOf(turn) === "max_tokens" ? "length" : "stop", input: turn.usage?.input ?? 0, output: turn.usage?.output ?? 0 };
    if (!stream) {
      const text = chunksOf(turn.text).join("");
      const json = fim === "openai" ? openaiCompletionJson(text, fimEnd, model) : fim === "ollama" ? ollamaGenerateJson(text, fimEnd, model) : proto === "openai" ? openaiJson(turn, model) : proto === "anthropic" ? anthropicJson(turn, model) : ollamaJson(turn, model);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(json));
      return;
    }
    const frames = fim === "openai" ? openaiCompletionFrames(chunksOf(turn.text), fimEnd, model, body.stream_options?.include_usage === true) : fim === "ollama" ? ollamaGenerateFrames(chunksOf(turn.text), fimEnd, model) : proto === "openai" ? openaiFrames(turn, model, body.stream_options?.include_usage === true) : proto === "anthropic" ? anthropicFrames(turn, model) : ollamaFrames(turn, model);
    res.writeHead(200, proto === "ollama" ? { "content-type": "application/x-ndjson" } : { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();

    let contentSent = 0;
    const totalContent = frames.filter((f) => f.content).length;
    let pending = "";
    let pendingContent = false;
    const flush = async () => {
      if (pending) {
        const data = pending;
        pending = "";
        if (pendingContent && record.firstChunkAt === undefined) record.firstChunkAt = performance.now();
        pendingContent = false;
        await write(res, data);
      }
    };
    const paced = Boolean(turn.chunkDelayMs);
    for (const frame of frames) {
      if (res.destroyed) return;
      if (frame.content && turn.cutAfterChunks !== undefined && contentSent >= turn.cutAfterChunks) {
        await flush();
        await sleep(20);
        req.socket.destroy();
        return;
      }
      if (frame.content && turn.errorAfterChunks !== undefined && contentSent >= turn.errorAfterChunks) {
        const type = turn.errorType ?? "overloaded_error";
        const message = turn.errorMessage ?? "Overloaded";
        pending +=
          proto === "anthropic"
            ? `event: error\ndata: ${JSON.stringify({ type: "error", error: { type, message } })}\n\n`
            : proto === "openai"
              ? `data: ${JSON.stringify({ error: { message, type, code: null } })}\n\n`
              : `${JSON.stringify({ error: message })}\n`;
        await flush();
        res.end();
        return;
      }
      if (frame.content && turn.malformed && contentSent >= 1) {
        await flush();
        if (turn.malformed === "json") {
          await write(res, proto === "ollama" ? `{"model": "${model}", "message": {broken\n` : proto === "anthropic" ? `event: content_block_delta\ndata: {"type": "content_block_delta", {broken\n\n` : `data: {"id": "chatcmpl-scripted", "choices": [{broken\n\n`);
          return; // stall: the client has to give up on its own
        }
        await write(res, proto === "ollama" ? "<html>502 Bad Gateway</html>\n" : "<html>\nnot an event stream\n</html>\n\n");
        res.end();
        return;
      }
      if (frame.content) contentSent++;
      pending += frame.data;
      if (frame.content) pendingContent = true;
      if (paced) {
        await flush();
        if (frame.content) await sleep(turn.chunkDelayMs ?? 0);
      } else if (pending.length > 64 * 1024) {
        await flush();
      }
      if (turn.hang && frame.content && contentSent === totalContent) {
        await flush();
        return; // stall with all the content sent, never finishing
      }
    }
    if (turn.hang) {
      await flush();
      return;
    }
    await flush();
    res.end();
  }

  const server = createServer((req, res) => {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const text = Buffer.concat(chunks).toString("utf8");
      // Probes and model lists.
      if (req.method === "GET") {
        if (path === "/") return void res.writeHead(200, { "content-type": "text/plain" }).end("Ollama is running");
        if (path === "/api/tags") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ models: [{ name: "scripted", model: "scripted" }] }));
        if (path.endsWith("/models")) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data: [{ id: "scripted", object: "model", created, owned_by: "scripted" }] }));
        if (options.get && Object.hasOwn(options.get, path)) {
          const value = options.get[path];
          return void (typeof value === "string" ? res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(value) : res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(value)));
        }
        if (path === "/__requests") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(requests.map(({ done: _done, ...r }) => r)));
        return void res.writeHead(404).end();
      }
      if (path === "/__script") {
        try {
          const parsed = JSON.parse(text) as { turns?: ScriptedTurn[] };
          setTurns(parsed.turns ?? []);
          return void res.writeHead(204).end();
        } catch {
          return void res.writeHead(400).end();
        }
      }
      const proto: ScriptProtocol | undefined = path.endsWith("/completions") ? "openai" : path.endsWith("/messages") ? "anthropic" : path === "/api/chat" || path === "/api/generate" ? "ollama" : undefined;
      if (!proto) return void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: `no such path ${path}` }));
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      let settle: (v: "finished" | "aborted") => void = () => undefined;
      const record: RecordedRequest = {
        method: req.method ?? "POST",
        path,
        headers: req.headers,
        body,
        aborted: false,
        finished: false,
        done: new Promise((resolve) => (settle = resolve)),
        receivedAt,
      };
      requests.push(record);
      res.on("close", () => {
        if (res.writableFinished) {
          record.finished = true;
          settle("finished");
        } else {
          record.aborted = true;
          settle("aborted");
        }
      });
      respond(req, res, record, proto).catch(() => req.socket.destroy());
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const root = `http://127.0.0.1:${port}`;
  const baseURLs: Record<ScriptProtocol, string> = { openai: `${root}/v1`, anthropic: root, ollama: root };

  function setTurns(next: ScriptedTurn[]): void {
    turns = [...next];
    if (next[0]) last = next[0];
  }

  return {
    protocol,
    port,
    baseURL: baseURLs[protocol],
    baseURLs,
    requests,
    setTurns,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

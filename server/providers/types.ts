// The one interface the agent talks to models through: a request in, a stream of normalized events out.
// Plain data only; nothing here imports an SDK.

export type Protocol = "openai" | "anthropic" | "ollama";

/** A tool the model may call, its input described by JSON Schema (an object schema). */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export type Message =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; toolName: string; content: string; isError?: boolean };

export interface ModelRequest {
  system?: string;
  messages: Message[];
  tools?: ToolDefinition[];
  maxTokens?: number;
  /** 0 makes the request deterministic, hence cacheable. */
  temperature?: number;
  signal?: AbortSignal;
  /**
   * Fill in the middle on the provider's own endpoint instead of chat (`messages` and `tools` are not
   * sent): OpenAI-compatible `/completions` with `suffix`, Ollama `/api/generate` with `suffix`.
   * Anthropic has none (the request fails with bad_request).
   */
  fim?: { prefix: string; suffix: string };
}

export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal" | "cancelled" | "error" | "other";

export interface Usage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's prompt cache. */
  cachedTokens: number;
}

export type ErrorKind = "auth" | "rate_limit" | "server" | "connection" | "timeout" | "bad_request" | "stream" | "config" | "not_found" | "policy";

export interface StreamErrorInfo {
  kind: ErrorKind;
  message: string;
  provider?: string;
  endpoint?: string;
  status?: number;
}

export type StreamEvent =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string }
  | { type: "tool_call"; id: string; name: string; input: Record<string, unknown> }
  | ({ type: "usage" } & Usage)
  | { type: "stop"; reason: StopReason }
  | { type: "error"; error: StreamErrorInfo };

/** Everything an adapter needs to reach one endpoint of one provider for one model. */
export interface EndpointTarget {
  provider: string;
  protocol: Protocol;
  baseURL: string;
  apiKey?: string;
  apiKeyEnv?: string;
  /** "api-key" for Azure-style key headers; default is the SDK's own (Bearer / x-api-key). */
  authHeader?: string;
  headers?: Record<string, string>;
  model: string;
  maxOutput?: number;
  /** Stall guard: an error if no byte arrives for this long (ms). */
  idleTimeoutMs?: number;
}

/**
 * What an adapter hands the router for one request on one endpoint: the SDK's own stream iterator and
 * a decoder that turns each SDK chunk into normalized events. The router pulls SDK chunks itself, so a
 * normalized event costs one SDK `next()` and a function call, not extra async-generator layers.
 */
export interface ChunkDecoder {
  /** The SDK's stream. */
  chunks: AsyncIterator<unknown>;
  /** Appends the events one chunk carries (often none or one). May throw (malformed tool arguments). */
  decode(chunk: unknown, out: StreamEvent[]): void;
  /** The SDK stream ended: append the trailing events (tool calls, usage, stop), or throw if it ended too early. */
  end(out: StreamEvent[]): void;
  /** Maps whatever the SDK threw mid-stream to an error (stall-aware). */
  fail(error: unknown): Error;
  /** Releases the stream (closing the HTTP response if still open) and timers. */
  close(): void;
}

/**
 * Opens one request on one endpoint. Rejects with a ProviderError when the request fails before the
 * stream starts (connection refused, 401, 429, 5xx).
 */
export type Adapter = (target: EndpointTarget, request: ModelRequest, signal: AbortSignal) => Promise<ChunkDecoder>;

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
}

export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "refusal" | "cancelled" | "error" | "other";

export interface Usage {
  /** All prompt tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's prompt cache. */
  cachedTokens: number;
}

export type ErrorKind = "auth" | "rate_limit" | "server" | "connection" | "timeout" | "bad_request" | "stream" | "config" | "not_found";

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
 * An adapter streams one request against one endpoint. It throws a ProviderError when the request
 * fails before any event; once events flowed it still throws, and the router turns that into an
 * error event after the partial output.
 */
export type AdapterStream = (target: EndpointTarget, request: ModelRequest, signal: AbortSignal) => AsyncIterable<StreamEvent>;

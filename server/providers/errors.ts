// Provider failures as one error type, with the facts the router needs (retryable? retry-after?)
// and messages a user can act on (which provider, which env var).
import type { EndpointTarget, ErrorKind, StreamErrorInfo } from "./types.ts";

export class ProviderError extends Error {
  readonly kind: ErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly provider: string | undefined;
  readonly endpoint: string | undefined;

  constructor(kind: ErrorKind, message: string, opts: { status?: number; retryAfterMs?: number; provider?: string; endpoint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ProviderError";
    this.kind = kind;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.provider = opts.provider;
    this.endpoint = opts.endpoint;
  }

  /** Worth trying another endpoint (or the same one later) if nothing was streamed yet. */
  get retryable(): boolean {
    return this.kind === "connection" || this.kind === "server" || this.kind === "rate_limit" || this.kind === "timeout";
  }

  toInfo(): StreamErrorInfo {
    const info: StreamErrorInfo = { kind: this.kind, message: this.message };
    if (this.provider !== undefined) info.provider = this.provider;
    if (this.endpoint !== undefined) info.endpoint = this.endpoint;
    if (this.status !== undefined) info.status = this.status;
    return info;
  }
}

/** `retry-after` (seconds or HTTP date) or `retry-after-ms`, in ms. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined | null, now = Date.now()): number | undefined {
  if (!headers || typeof headers.get !== "function") return undefined;
  const ms = headers.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get("retry-after");
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function missingKeyMessage(target: Pick<EndpointTarget, "provider" | "apiKeyEnv">): string {
  const env = target.apiKeyEnv ? `set ${target.apiKeyEnv}` : "set an API key";
  return `${target.provider}: no API key — ${env} in the environment, or providers.${target.provider}.apiKey in the config`;
}

function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps whatever an SDK or fetch threw into a ProviderError. Duck-typed so no SDK has to be loaded:
 * openai/anthropic APIError (status, headers), ollama ResponseError (status_code), fetch TypeErrors.
 */
export function toProviderError(error: unknown, target: Pick<EndpointTarget, "provider" | "baseURL" | "apiKeyEnv">, extra: { retryAfterMs?: number } = {}): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (error ?? {}) as { status?: unknown; status_code?: unknown; headers?: unknown; message?: unknown; name?: unknown; error?: unknown };
  const where = { provider: target.provider, endpoint: target.baseURL, cause: error };
  const rawMessage = typeof e.message === "string" ? e.message : String(error);
  const status = typeof e.status === "number" ? e.status : typeof e.status_code === "number" ? e.status_code : undefined;
  if (status !== undefined) {
    const retryAfterMs = parseRetryAfter(e.headers as { get(n: string): string | null } | undefined) ?? extra.retryAfterMs;
    const detail = rawMessage.replace(/^\d{3}\s*/, "").slice(0, 300);
    if (status === 401 || status === 403) {
      const env = target.apiKeyEnv ? `check ${target.apiKeyEnv}` : "check the API key";
      return new ProviderError("auth", `${target.provider}: authentication failed (${status}) — ${env} (or providers.${target.provider}.apiKey in the config)${detail ? `: ${detail}` : ""}`, { ...where, status });
    }
    if (status === 429) return new ProviderError("rate_limit", `${target.provider}: rate limited (429)${retryAfterMs !== undefined ? `, retry after ${Math.ceil(retryAfterMs / 1000)}s` : ""}`, { ...where, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    if (status === 404) return new ProviderError("not_found", `${target.provider}: not found (404) at ${target.baseURL}${detail ? `: ${detail}` : ""}`, { ...where, status });
    if (status >= 500) return new ProviderError("server", `${target.provider}: server error (${status})${detail ? `: ${detail}` : ""}`, { ...where, status });
    return new ProviderError("bad_request", `${target.provider}: request rejected (${status})${detail ? `: ${detail}` : ""}`, { ...where, status });
  }
  // An error the provider sent inside the stream (Anthropic `event: error`, OpenAI `data: {"error"}`).
  const type = errorTypeOf(error);
  if (type) {
    const detail = rawMessage.slice(0, 300);
    if (/overloaded|api_error|server_error|internal/i.test(type)) return new ProviderError("server", `${target.provider}: ${type}: ${detail}`, where);
    if (/rate_limit/i.test(type)) return new ProviderError("rate_limit", `${target.provider}: rate limited: ${detail}`, where);
  }
  const name = typeof e.name === "string" ? e.name : "";
  // Class names do not survive minification: match messages too ("Request timed out.", "Connection error.").
  if (name.includes("Timeout") || /^Request timed out/i.test(rawMessage)) return new ProviderError("timeout", `${target.provider}: request timed out (${target.baseURL})`, where);
  const code = errorCodeOf(error);
  if (name === "APIConnectionError" || code || /fetch failed|Connection error|ECONNREFUSED|ENOTFOUND|socket hang up|bad port/i.test(rawMessage)) {
    // A connection that dropped after the response began is a cut stream, not an unreachable endpoint.
    if (code === "UND_ERR_SOCKET" || /terminated|other side closed|premature close/i.test(rawMessage)) {
      return new ProviderError("stream", `${target.provider}: the stream was cut off (${code ?? rawMessage})`, where);
    }
    return new ProviderError("connection", `${target.provider}: cannot connect to ${target.baseURL}${code ? ` (${code})` : ""}`, where);
  }
  if (/terminated|other side closed|premature close/i.test(rawMessage)) {
    return new ProviderError("stream", `${target.provider}: the stream was cut off (${rawMessage})`, where);
  }
  if (error instanceof SyntaxError || /JSON|parse/i.test(rawMessage)) {
    return new ProviderError("stream", `${target.provider}: malformed stream from ${target.baseURL}: ${rawMessage.slice(0, 200)}`, where);
  }
  return new ProviderError("stream", `${target.provider}: ${rawMessage.slice(0, 300)}`, where);
}

function errorTypeOf(error: unknown): string | undefined {
  const e = error as { type?: unknown; error?: { type?: unknown; error?: { type?: unknown } } } | undefined;
  if (!e || typeof e !== "object") return undefined;
  for (const t of [e.type, e.error?.type, e.error?.error?.type]) if (typeof t === "string" && t !== "error") return t;
  return undefined;
}

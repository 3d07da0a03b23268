// LanguageIntel across a thread boundary: a session's agent loop runs in a worker, the proxied
// servers live in the main thread. The worker's RemoteIntel sends each call as a plain object
// (structured-cloned); the main thread answers it with its ProxyIntel (answerIntel). Abort signals
// do not cross: the worker stops waiting on abort, the main side's wait ends at its timeout.
import type { ProxyConfig } from "../config/index.ts";
import type { DiagnosticsReport, IntelRequestOptions, LanguageIntel } from "./intel.ts";
import { servedLanguageId } from "./languages.ts";

/** The RPC method name both sides use. */
export const INTEL_METHOD = "intel";

export type IntelCall =
  | { op: "sync"; abs: string; text: string }
  | { op: "diagnostics"; abs: string; text: string; timeoutMs?: number }
  | { op: "request"; method: string; abs: string; text: string; params: Record<string, unknown>; timeoutMs?: number }
  | { op: "workspaceSymbols"; query: string; near?: { abs: string; text: string }; timeoutMs?: number };

/** The main thread's side: one call from a worker, answered by the real intel. */
export async function answerIntel(intel: LanguageIntel, call: IntelCall): Promise<unknown> {
  switch (call.op) {
    case "sync":
      await intel.sync(call.abs, call.text);
      return null;
    case "diagnostics":
      return (await intel.diagnostics(call.abs, call.text, opt(call.timeoutMs))) ?? null;
    case "request":
      return (await intel.request(call.method, call.abs, call.text, call.params, opt(call.timeoutMs))) ?? null;
    case "workspaceSymbols":
      return (await intel.workspaceSymbols(call.query, call.near, opt(call.timeoutMs))) ?? null;
  }
}

const opt = (timeoutMs: number | undefined) => (timeoutMs === undefined ? {} : { timeoutMs });

/** The worker's side: LanguageIntel whose calls go to the main thread. */
export class RemoteIntel implements LanguageIntel {
  private readonly call: (call: IntelCall) => Promise<unknown>;
  private readonly entries: () => ProxyConfig[];

  /** `entries`: the configured proxies, to tell which files a server takes without a round trip. */
  constructor(call: (call: IntelCall) => Promise<unknown>, entries: () => ProxyConfig[]) {
    this.call = call;
    this.entries = entries;
  }

  languageOf(abs: string): string | undefined {
    return servedLanguageId(abs, this.entries());
  }

  async sync(abs: string, text: string): Promise<void> {
    await this.call({ op: "sync", abs, text });
  }

  diagnostics(abs: string, text: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<DiagnosticsReport | undefined> {
    return this.send({ op: "diagnostics", abs, text, ...opt(options.timeoutMs) }, options.signal);
  }

  request(method: string, abs: string, text: string, params: Record<string, unknown>, options: IntelRequestOptions = {}): Promise<{ result: unknown } | undefined> {
    return this.send({ op: "request", method, abs, text, params, ...opt(options.timeoutMs) }, options.signal);
  }

  workspaceSymbols(query: string, near?: { abs: string; text: string }, options: IntelRequestOptions = {}): Promise<{ result: unknown[] } | undefined> {
    return this.send({ op: "workspaceSymbols", query, ...(near ? { near } : {}), ...opt(options.timeoutMs) }, options.signal);
  }

  private async send<T>(call: IntelCall, signal: AbortSignal | undefined): Promise<T | undefined> {
    if (signal?.aborted) throw new Error("cancelled");
    const answer = this.call(call) as Promise<T | null>;
    if (!signal) return (await answer) ?? undefined;
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error("cancelled"));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return (await Promise.race([answer, aborted])) ?? undefined;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}

import { ProviderError, toProviderError } from "../errors.ts";
import type { EndpointTarget } from "../types.ts";

// Shared by the adapters: one AbortController that fires when the caller cancels or when the stream
// stalls (no chunk for idleMs). Stall detection is a counter bumped per chunk and checked by a timer,
// so the per-chunk cost is one increment.
export interface Watchdog {
  signal: AbortSignal;
  /** Call on every chunk received. */
  tick(): void;
  /** True when the watchdog (not the caller) aborted: the stream stalled. */
  readonly stalled: boolean;
  /** Aborts the request now (the consumer is done with it). */
  abort(): void;
  dispose(): void;
}

export function watchdog(callerSignal: AbortSignal, idleMs: number | undefined): Watchdog {
  const controller = new AbortController();
  let count = 0;
  let seen = -1;
  let stalled = false;
  const onAbort = () => controller.abort(callerSignal.reason);
  if (callerSignal.aborted) controller.abort(callerSignal.reason);
  else callerSignal.addEventListener("abort", onAbort, { once: true });
  let timer: ReturnType<typeof setInterval> | undefined;
  if (idleMs && idleMs > 0) {
    timer = setInterval(() => {
      if (count === seen) {
        stalled = true;
        controller.abort(new Error("stream stalled"));
        clearInterval(timer);
      }
      seen = count;
    }, idleMs);
    timer.unref?.();
  }
  return {
    signal: controller.signal,
    tick() {
      count++;
    },
    get stalled() {
      return stalled;
    },
    abort() {
      if (!controller.signal.aborted) controller.abort(new Error("stream closed by the consumer"));
    },
    dispose() {
      if (timer) clearInterval(timer);
      callerSignal.removeEventListener("abort", onAbort);
    },
  };
}

/** Tool arguments arrive as streamed JSON text; an empty string means no arguments. */
export function parseToolArguments(json: string): Record<string, unknown> | undefined {
  if (json.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A fetch that also aborts when `signal` does (the request and the response body). */
export function fetchWithSignal(signal: AbortSignal): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}

export interface WatchedStream {
  chunks: AsyncIterator<any>;
  dog: Watchdog;
  /** The error for a stream the watchdog stopped. */
  stalled(): ProviderError;
  where: { provider: string; endpoint: string };
}

/**
 * Opens an SDK stream under a watchdog. Cancellation goes into fetch rather than the SDK's `signal`
 * option: the SDK composes that with its own signal and checks the composite on every chunk, which
 * costs ~3% of stream throughput. A failure to open is a ProviderError (a stall, or what the SDK said).
 */
export async function openWatched(target: EndpointTarget, signal: AbortSignal, open: (fetch: typeof globalThis.fetch) => Promise<unknown>): Promise<WatchedStream> {
  const where = { provider: target.provider, endpoint: target.baseURL };
  const dog = watchdog(signal, target.idleTimeoutMs);
  const stalled = () => new ProviderError("timeout", `${target.provider}: the stream stalled (no data for ${target.idleTimeoutMs} ms)`, where);
  try {
    const stream = (await open(fetchWithSignal(dog.signal))) as AsyncIterable<any>;
    return { chunks: stream[Symbol.asyncIterator](), dog, stalled, where };
  } catch (error) {
    dog.dispose();
    if (dog.stalled) throw stalled();
    throw toProviderError(error, target);
  }
}

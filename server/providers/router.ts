// The router: for one request, a list of candidate endpoints (several endpoints of one provider, or
// one model reachable through several providers). It sends to the fastest healthy endpoint by
// time-to-first-token EWMA (untried endpoints first, so every endpoint gets measured), falls back on
// connection errors, 5xx and 429 before the first token (honouring retry-after, bounded), and keeps a
// circuit breaker per endpoint: open after repeated failures, half-open (one trial) after a cooldown.
import type { Logger } from "../log.ts";
import { ProviderError, toProviderError } from "./errors.ts";
import type { Adapter, ChunkDecoder, EndpointTarget, ModelRequest, Protocol, StreamEvent } from "./types.ts";

export type CircuitState = "closed" | "open" | "half_open";

export interface RouterOptions {
  /** EWMA weight of the newest sample (0..1]. */
  alpha?: number;
  /** Consecutive failures that open an endpoint's circuit. */
  failureThreshold?: number;
  /** How long an open circuit stays open before one trial request. */
  cooldownMs?: number;
  /** Longest retry-after the router waits out within one request; longer ones fail the request. */
  maxRetryWaitMs?: number;
  /** Requests sent (endpoints tried) per call at most. */
  maxAttempts?: number;
  now?: () => number;
}

/** Per-endpoint figures for the health report (plain data). */
export interface EndpointStats {
  provider: string;
  endpoint: string;
  requests: number;
  successes: number;
  failures: number;
  /** EWMA of failures (0..1). */
  errorRate: number;
  /** EWMA of time to first token, ms; null until one request produced a token. */
  ttftMs: number | null;
  circuit: CircuitState;
  /** Until when the endpoint asked us to wait (429 retry-after), epoch ms. */
  retryAfterUntil: number | null;
  lastError: string | null;
}

/** @internal */
export interface EndpointState {
  provider: string;
  endpoint: string;
  requests: number;
  successes: number;
  failures: number;
  errorEwma: number;
  ttftEwma: number | undefined;
  consecutiveFailures: number;
  circuit: CircuitState;
  openedAt: number;
  trialInFlight: boolean;
  retryAfterUntil: number;
  lastError: string | undefined;
}

export interface Candidate {
  target: EndpointTarget;
  protocol: Protocol;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

export class Router {
  private readonly states = new Map<string, EndpointState>();
  private readonly alpha: number;
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  readonly maxRetryWaitMs: number;
  readonly maxAttempts: number;
  readonly now: () => number;
  readonly log: Logger | undefined;
  readonly load: (protocol: Protocol) => Promise<Adapter>;

  constructor(load: (protocol: Protocol) => Promise<Adapter>, options: RouterOptions = {}, log?: Logger) {
    this.load = load;
    this.alpha = options.alpha ?? 0.3;
    this.failureThreshold = options.failureThreshold ?? 3;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 15_000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.now = options.now ?? Date.now;
    this.log = log;
  }

  /** @internal */
  state(target: EndpointTarget): EndpointState {
    const key = `${target.provider}\0${target.baseURL}`;
    let state = this.states.get(key);
    if (!state) {
      state = {
        provider: target.provider,
        endpoint: target.baseURL,
        requests: 0,
        successes: 0,
        failures: 0,
        errorEwma: 0,
        ttftEwma: undefined,
        consecutiveFailures: 0,
        circuit: "closed",
        openedAt: 0,
        trialInFlight: false,
        retryAfterUntil: 0,
        lastError: undefined,
      };
      this.states.set(key, state);
    }
    return state;
  }

  /** Whether an endpoint may take a request now (circuit closed, or due for its half-open trial). */
  /** @internal */
  admissible(state: EndpointState, now: number): boolean {
    if (state.retryAfterUntil > now) return false;
    if (state.circuit === "closed") return true;
    if (state.circuit === "open" && now - state.openedAt >= this.cooldownMs) return !state.trialInFlight;
    return state.circuit === "half_open" && !state.trialInFlight;
  }

  /** @internal */
  score(state: EndpointState): number {
    if (state.requests === 0) return -1; // untried: measure it
    if (state.ttftEwma === undefined) return Number.MAX_SAFE_INTEGER - 1 + state.errorEwma; // never produced a token
    return state.ttftEwma * (1 + 4 * state.errorEwma);
  }

  /** Candidates in the order they would be tried now (for tests and the health report). */
  rank(candidates: Candidate[]): Candidate[] {
    const now = this.now();
    return candidates
      .map((c, i) => ({ c, i, s: this.state(c.target) }))
      .filter((x) => this.admissible(x.s, now))
      .sort((a, b) => this.score(a.s) - this.score(b.s) || a.i - b.i)
      .map((x) => x.c);
  }

  /** @internal */
  firstToken(state: EndpointState, ms: number): void {
    state.ttftEwma = state.ttftEwma === undefined ? ms : state.ttftEwma * (1 - this.alpha) + ms * this.alpha;
  }

  /** @internal */
  success(state: EndpointState): void {
    state.successes++;
    state.errorEwma *= 1 - this.alpha;
    state.consecutiveFailures = 0;
    if (state.circuit !== "closed") this.log?.info({ provider: state.provider, endpoint: state.endpoint }, "endpoint recovered; circuit closed");
    state.circuit = "closed";
    state.trialInFlight = false;
  }

  /** @internal */
  failure(state: EndpointState, error: ProviderError): void {
    state.failures++;
    state.lastError = error.message;
    state.errorEwma = state.errorEwma * (1 - this.alpha) + this.alpha;
    state.trialInFlight = false;
    if (error.kind === "rate_limit") {
      state.retryAfterUntil = this.now() + (error.retryAfterMs ?? 1_000);
      return;
    }
    // Only faults of the endpoint itself count toward its circuit (not auth or bad requests).
    if (error.kind !== "connection" && error.kind !== "server" && error.kind !== "timeout" && error.kind !== "stream") return;
    state.consecutiveFailures++;
    if (state.circuit === "half_open" || (state.circuit === "open" && this.now() - state.openedAt >= this.cooldownMs) || state.consecutiveFailures >= this.failureThreshold) {
      if (state.circuit !== "open") this.log?.warn({ provider: state.provider, endpoint: state.endpoint, error: error.message }, "endpoint keeps failing; circuit open");
      state.circuit = "open";
      state.openedAt = this.now();
    }
  }

  /**
   * Streams the request through the best candidate, falling back before the first token. Always ends
   * with a `stop` or an `error` event (never throws); a cancelled signal ends it with stop "cancelled".
   */
  stream(candidates: Candidate[], request: ModelRequest, signal: AbortSignal): AsyncIterableIterator<StreamEvent> {
    return new RoutedStream(this, candidates, request, signal);
  }

  /** The message when no candidate may take a request (all circuits open). */
  noEndpoint(candidates: Candidate[]): ProviderError {
    return new ProviderError("connection", `no endpoint available for ${candidates.map((c) => `${c.target.provider}/${c.target.model}`).join(", ")} (circuit open after repeated failures; retrying in ≤ ${Math.ceil(this.cooldownMs / 1000)}s)`);
  }

  stats(): EndpointStats[] {
    const now = this.now();
    return [...this.states.values()].map((s) => ({
      provider: s.provider,
      endpoint: s.endpoint,
      requests: s.requests,
      successes: s.successes,
      failures: s.failures,
      errorRate: Math.round(s.errorEwma * 1000) / 1000,
      ttftMs: s.ttftEwma === undefined ? null : Math.round(s.ttftEwma * 10) / 10,
      circuit: s.circuit === "open" && now - s.openedAt >= this.cooldownMs ? "half_open" : s.circuit,
      retryAfterUntil: s.retryAfterUntil > now ? s.retryAfterUntil : null,
      lastError: s.lastError ?? null,
    }));
  }
}

/**
 * One routed request as a hand-written async iterator: it pulls SDK chunks straight from the chosen
 * adapter and decodes them into a reused queue, so the per-chunk cost over the raw SDK stream is a
 * function call and a resolved promise (no extra async-generator layers).
 */
class RoutedStream implements AsyncIterableIterator<StreamEvent> {
  private readonly router: Router;
  private readonly candidates: Candidate[];
  private readonly request: ModelRequest;
  private readonly signal: AbortSignal;
  private readonly queue: StreamEvent[] = [];
  private head = 0;
  private finished = false;
  private decoder: ChunkDecoder | undefined;
  private pick: Candidate | undefined;
  private endpoint: EndpointState | undefined;
  private streamed = false;
  private started = 0;
  private attempts = 0;
  private readonly tried = new Set<Candidate>();
  private lastError: ProviderError | undefined;

  constructor(router: Router, candidates: Candidate[], request: ModelRequest, signal: AbortSignal) {
    this.router = router;
    this.candidates = candidates;
    this.request = request;
    this.signal = signal;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    if (this.head < this.queue.length) return Promise.resolve({ value: this.queue[this.head++]!, done: false });
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return this.pull();
  }

  async return(): Promise<IteratorResult<StreamEvent>> {
    // The consumer stopped early (break): release the HTTP stream now.
    this.finished = true;
    this.queue.length = 0;
    this.head = 0;
    if (this.endpoint) this.endpoint.trialInFlight = false;
    this.decoder?.close();
    this.decoder = undefined;
    return { value: undefined, done: true };
  }

  private async pull(): Promise<IteratorResult<StreamEvent>> {
    const out = this.queue;
    out.length = 0;
    this.head = 0;
    while (out.length === 0 && !this.finished) {
      const decoder = this.decoder;
      if (!decoder) {
        await this.connect();
        continue;
      }
      try {
        const result = await decoder.chunks.next();
        if (result.done) {
          if (this.signal.aborted) throw this.signal.reason;
          decoder.end(out);
          this.complete();
        } else decoder.decode(result.value, out);
      } catch (error) {
        this.fail(error);
      }
    }
    if (out.length > 0 && !this.streamed) {
      this.streamed = true;
      const state = this.endpoint;
      if (state) this.router.firstToken(state, performance.now() - this.started);
    }
    if (this.head < out.length) return { value: out[this.head++]!, done: false };
    return { value: undefined, done: true };
  }

  private finish(event: StreamEvent): void {
    this.queue.push(event);
    this.finished = true;
  }

  private complete(): void {
    if (this.endpoint) this.router.success(this.endpoint);
    this.decoder?.close();
    this.decoder = undefined;
    this.finished = true;
  }

  private fail(error: unknown): void {
    const decoder = this.decoder;
    this.decoder = undefined;
    decoder?.close();
    if (this.signal.aborted) {
      if (this.endpoint) this.endpoint.trialInFlight = false;
      this.finish({ type: "stop", reason: "cancelled" });
      return;
    }
    const target = this.pick!.target;
    const perr = toProviderError(decoder ? decoder.fail(error) : error, target);
    this.router.failure(this.endpoint!, perr);
    if (this.streamed || this.queue.length > 0 || !perr.retryable) {
      // After the first token there is no going back: the partial output stands, then the error.
      this.finish({ type: "error", error: perr.toInfo() });
      return;
    }
    this.lastError = perr;
    this.router.log?.debug({ provider: target.provider, endpoint: target.baseURL, error: perr.message }, "endpoint failed before the first token; trying the next");
  }

  /** Picks the next endpoint and opens the request on it (or finishes with an error). */
  private async connect(): Promise<void> {
    const router = this.router;
    if (this.signal.aborted) return this.finish({ type: "stop", reason: "cancelled" });
    if (this.attempts >= router.maxAttempts) return this.finish({ type: "error", error: (this.lastError ?? router.noEndpoint(this.candidates)).toInfo() });
    let pick = router.rank(this.candidates).find((c) => !this.tried.has(c));
    if (!pick) {
      // Everything left is waiting out a retry-after: wait for the soonest, if it is not too long.
      const now = router.now();
      const waiting = this.candidates
        .map((c) => ({ c, s: router.state(c.target) }))
        .filter((x) => x.s.retryAfterUntil > now && x.s.circuit !== "open")
        .sort((a, b) => a.s.retryAfterUntil - b.s.retryAfterUntil)[0];
      if (!waiting || waiting.s.retryAfterUntil - now > router.maxRetryWaitMs) {
        return this.finish({ type: "error", error: (this.lastError ?? router.noEndpoint(this.candidates)).toInfo() });
      }
      router.log?.debug({ provider: waiting.s.provider, waitMs: waiting.s.retryAfterUntil - now }, "waiting out retry-after");
      await sleep(waiting.s.retryAfterUntil - now, this.signal);
      if (this.signal.aborted) return this.finish({ type: "stop", reason: "cancelled" });
      waiting.s.retryAfterUntil = 0;
      pick = waiting.c;
    }
    this.attempts++;
    this.tried.add(pick);
    this.pick = pick;
    const state = router.state(pick.target);
    this.endpoint = state;
    if (state.circuit === "open") state.circuit = "half_open";
    if (state.circuit === "half_open") state.trialInFlight = true;
    state.requests++;
    this.started = performance.now();
    try {
      const adapter = await router.load(pick.protocol);
      this.decoder = await adapter(pick.target, this.request, this.signal);
    } catch (error) {
      this.fail(error);
    }
  }
}

/** An adapter-shaped decoder over a stream of ready-made events (tests, replays). */
export function eventsDecoder(events: AsyncIterable<StreamEvent>): ChunkDecoder {
  const chunks = events[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  return {
    chunks,
    decode: (chunk, out) => void out.push(chunk as StreamEvent),
    end: () => undefined,
    fail: (error) => (error instanceof Error ? error : new Error(String(error))),
    close: () => void chunks.return?.()?.catch?.(() => undefined),
  };
}

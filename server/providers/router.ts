// The router: for one request, a list of candidate endpoints (several endpoints of one provider, or
// one model reachable through several providers). It sends to the fastest healthy endpoint by
// time-to-first-token EWMA (untried endpoints first, so every endpoint gets measured), falls back on
// connection errors, 5xx and 429 before the first token (honouring retry-after, bounded), and keeps a
// circuit breaker per endpoint: open after repeated failures, half-open (one trial) after a cooldown.
import type { Logger } from "../log.ts";
import { ProviderError, toProviderError } from "./errors.ts";
import type { AdapterStream, EndpointTarget, ModelRequest, Protocol, StreamEvent } from "./types.ts";

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

interface EndpointState {
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
  private readonly maxRetryWaitMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private readonly log: Logger | undefined;
  private readonly load: (protocol: Protocol) => Promise<AdapterStream>;

  constructor(load: (protocol: Protocol) => Promise<AdapterStream>, options: RouterOptions = {}, log?: Logger) {
    this.load = load;
    this.alpha = options.alpha ?? 0.3;
    this.failureThreshold = options.failureThreshold ?? 3;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 15_000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.now = options.now ?? Date.now;
    this.log = log;
  }

  private state(target: EndpointTarget): EndpointState {
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
  private admissible(state: EndpointState, now: number): boolean {
    if (state.retryAfterUntil > now) return false;
    if (state.circuit === "closed") return true;
    if (state.circuit === "open" && now - state.openedAt >= this.cooldownMs) return !state.trialInFlight;
    return state.circuit === "half_open" && !state.trialInFlight;
  }

  private score(state: EndpointState): number {
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

  private success(state: EndpointState): void {
    state.successes++;
    state.errorEwma *= 1 - this.alpha;
    state.consecutiveFailures = 0;
    if (state.circuit !== "closed") this.log?.info({ provider: state.provider, endpoint: state.endpoint }, "endpoint recovered; circuit closed");
    state.circuit = "closed";
    state.trialInFlight = false;
  }

  private failure(state: EndpointState, error: ProviderError): void {
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
  async *stream(candidates: Candidate[], request: ModelRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const tried = new Set<Candidate>();
    let lastError: ProviderError | undefined;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (signal.aborted) {
        yield { type: "stop", reason: "cancelled" };
        return;
      }
      let pick = this.rank(candidates).find((c) => !tried.has(c));
      if (!pick) {
        // Everything left is waiting out a retry-after: wait for the soonest, if it is not too long.
        const now = this.now();
        const waiting = candidates
          .map((c) => ({ c, s: this.state(c.target) }))
          .filter((x) => x.s.retryAfterUntil > now && x.s.circuit !== "open")
          .sort((a, b) => a.s.retryAfterUntil - b.s.retryAfterUntil)[0];
        if (!waiting || waiting.s.retryAfterUntil - now > this.maxRetryWaitMs) break;
        this.log?.debug({ provider: waiting.s.provider, waitMs: waiting.s.retryAfterUntil - now }, "waiting out retry-after");
        await sleep(waiting.s.retryAfterUntil - now, signal);
        if (signal.aborted) continue;
        waiting.s.retryAfterUntil = 0;
        pick = waiting.c;
      }
      tried.add(pick);
      const state = this.state(pick.target);
      if (state.circuit === "open") {
        state.circuit = "half_open";
        state.trialInFlight = true;
      } else if (state.circuit === "half_open") state.trialInFlight = true;
      state.requests++;

      const started = performance.now();
      let streamed = false;
      try {
        const adapter = await this.load(pick.protocol);
        for await (const event of adapter(pick.target, request, signal)) {
          if (!streamed) {
            streamed = true;
            const ttft = performance.now() - started;
            state.ttftEwma = state.ttftEwma === undefined ? ttft : state.ttftEwma * (1 - this.alpha) + ttft * this.alpha;
          }
          yield event;
        }
        if (signal.aborted) {
          state.trialInFlight = false;
          yield { type: "stop", reason: "cancelled" };
          return;
        }
        this.success(state);
        return;
      } catch (error) {
        if (signal.aborted) {
          state.trialInFlight = false;
          yield { type: "stop", reason: "cancelled" };
          return;
        }
        const perr = toProviderError(error, pick.target);
        this.failure(state, perr);
        if (streamed || !perr.retryable) {
          // After the first token there is no going back: the partial output stands, then the error.
          yield { type: "error", error: perr.toInfo() };
          return;
        }
        lastError = perr;
        this.log?.debug({ provider: pick.target.provider, endpoint: pick.target.baseURL, error: perr.message }, "endpoint failed before the first token; trying the next");
      }
    }
    const error =
      lastError ??
      new ProviderError("connection", `no endpoint available for ${candidates.map((c) => `${c.target.provider}/${c.target.model}`).join(", ")} (circuit open after repeated failures; retrying in ≤ ${Math.ceil(this.cooldownMs / 1000)}s)`);
    yield { type: "error", error: error.toInfo() };
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

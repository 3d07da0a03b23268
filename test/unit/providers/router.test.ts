// Router logic with a fake adapter and a fake clock: ranking, circuit breaker open/half-open/closed.
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../server/providers/errors.ts";
import { type Candidate, eventsDecoder, Router } from "../../../server/providers/router.ts";
import type { Adapter, StreamEvent } from "../../../server/providers/types.ts";

/** An adapter from an async generator of events (errors thrown before the first yield fail the request). */
const fake = (gen: (target: Candidate["target"]) => AsyncIterable<StreamEvent>): Adapter => async (target) => eventsDecoder(gen(target));

function candidate(name: string): Candidate {
  return { protocol: "openai", target: { provider: "p", protocol: "openai", baseURL: `http://${name}`, model: "m" } };
}

async function drain(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of stream) out.push(e);
  return out;
}

describe("Router", () => {
  it("circuit: opens after repeated failures, half-opens after the cooldown, closes on success", async () => {
    let now = 1_000_000;
    let failing = true;
    const calls: string[] = [];
    const adapter = fake(async function* (target) {
      calls.push(target.baseURL);
      if (failing) throw new ProviderError("server", "boom", { status: 502 });
      yield { type: "text", text: "hi" };
      yield { type: "stop", reason: "end_turn" };
    });
    const router = new Router(async () => adapter, { failureThreshold: 3, cooldownMs: 5000, now: () => now });
    const a = candidate("a");
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) expect((await drain(router.stream([a], { messages: [] }, signal))).at(-1)).toMatchObject({ type: "error", error: { kind: "server" } });
    expect(router.stats()[0]).toMatchObject({ circuit: "open", failures: 3 });

    // Open: fails fast without calling the adapter.
    const fast = await drain(router.stream([a], { messages: [] }, signal));
    expect(fast.at(-1)).toMatchObject({ type: "error" });
    expect(calls).toHaveLength(3);

    // After the cooldown one trial goes through; it fails, so the circuit opens again.
    now += 5000;
    expect(router.stats()[0]!.circuit).toBe("half_open");
    await drain(router.stream([a], { messages: [] }, signal));
    expect(calls).toHaveLength(4);
    expect(router.stats()[0]!.circuit).toBe("open");

    // Next trial succeeds: closed.
    now += 5000;
    failing = false;
    const ok = await drain(router.stream([a], { messages: [] }, signal));
    expect(ok).toEqual([{ type: "text", text: "hi" }, { type: "stop", reason: "end_turn" }]);
    expect(router.stats()[0]).toMatchObject({ circuit: "closed", successes: 1 });
  });

  it("ranks untried endpoints first, then by time to first token weighted by error rate", async () => {
    // Far apart, so a loaded machine (late timers) cannot swap them.
    const delays: Record<string, number> = { "http://a": 150, "http://b": 5, "http://c": 60 };
    const adapter = fake(async function* (target) {
      await new Promise((r) => setTimeout(r, delays[target.baseURL]));
      yield { type: "stop", reason: "end_turn" };
    });
    const router = new Router(async () => adapter);
    const cs = [candidate("a"), candidate("b"), candidate("c")];
    expect(router.rank(cs).map((c) => c.target.baseURL)).toEqual(["http://a", "http://b", "http://c"]);
    for (let i = 0; i < 3; i++) await drain(router.stream(cs, { messages: [] }, new AbortController().signal));
    expect(router.rank(cs).map((c) => c.target.baseURL)).toEqual(["http://b", "http://c", "http://a"]);
  });

  it("does not retry or count auth errors against the endpoint's circuit", async () => {
    let calls = 0;
    const adapter = fake(async function* () {
      calls++;
      throw new ProviderError("auth", "p: authentication failed (401) — check P_KEY", { status: 401 });
      yield { type: "stop", reason: "end_turn" } as StreamEvent; // unreachable
    });
    const router = new Router(async () => adapter, { failureThreshold: 1 });
    const events = await drain(router.stream([candidate("a"), candidate("b")], { messages: [] }, new AbortController().signal));
    expect(events).toEqual([{ type: "error", error: { kind: "auth", message: "p: authentication failed (401) — check P_KEY", status: 401 } }]);
    expect(calls).toBe(1);
    expect(router.stats()[0]!.circuit).toBe("closed");
  });
});

describe("toProviderError", () => {
  it("classifies by status, code and message (class names do not survive minification)", async () => {
    const { toProviderError } = await import("../../../server/providers/errors.ts");
    const t = { provider: "groq", baseURL: "http://x", apiKeyEnv: "GROQ_API_KEY" };
    const headers = new Headers({ "retry-after": "3" });
    expect(toProviderError(Object.assign(new Error("429 slow down"), { status: 429, headers }), t)).toMatchObject({ kind: "rate_limit", retryAfterMs: 3000 });
    expect(toProviderError(Object.assign(new Error("401 bad key"), { status: 401 }), t).message).toMatch(/groq.*GROQ_API_KEY/);
    expect(toProviderError(Object.assign(new Error("Connection error."), { cause: new TypeError("fetch failed") }), t).kind).toBe("connection");
    expect(toProviderError(Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) }), t).kind).toBe("connection");
    expect(toProviderError(new Error("Request timed out."), t).kind).toBe("timeout");
    expect(toProviderError(Object.assign(new TypeError("terminated"), { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }), t).kind).toBe("stream");
    expect(toProviderError(Object.assign(new Error("x"), { status: 503 }), t)).toMatchObject({ kind: "server", retryable: true });
    expect(toProviderError(Object.assign(new Error("x"), { status: 400 }), t)).toMatchObject({ kind: "bad_request", retryable: false });
  });
});

// The router over real HTTP: fastest of several endpoints, a dead one skipped, 429 + retry-after,
// fallback on 5xx before the first token (never after), a model reachable through several providers.
import { afterEach, describe, expect, it } from "vitest";
import { collect, createModelClient } from "../../../server/providers/index.ts";
import { deadPort, startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

const servers: ScriptedProvider[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(...args: Parameters<typeof startScriptedProvider>) {
  const server = await startScriptedProvider(...args);
  servers.push(server);
  return server;
}

const ask = { messages: [{ role: "user" as const, content: "q" }] };

function client(endpoints: string[], extra: Record<string, unknown> = {}) {
  return createModelClient({ config: { providers: { test: { protocol: "openai", apiKey: "k", endpoints } } }, env: {}, ...extra });
}

describe("router", () => {
  it("skips a dead endpoint, tries each live one, then sticks to the fastest", async () => {
    const dead = `http://127.0.0.1:${await deadPort()}/v1`;
    const slow = await start({ protocol: "openai", turns: [{ text: "slow", firstTokenDelayMs: 200 }] });
    const medium = await start({ protocol: "openai", turns: [{ text: "medium", firstTokenDelayMs: 90 }] });
    const fast = await start({ protocol: "openai", turns: [{ text: "fast", firstTokenDelayMs: 10 }] });
    const c = client([dead, slow.baseURL, medium.baseURL, fast.baseURL]);
    const texts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await collect(c.stream("test/m", ask));
      expect(result.error).toBeUndefined();
      texts.push(result.text);
    }
    // The dead endpoint fails over to the next untried one within the same request.
    expect(texts.slice(0, 3)).toEqual(["slow", "medium", "fast"]);
    expect(texts.slice(3)).toEqual(["fast", "fast", "fast", "fast", "fast"]);
    expect(slow.requests).toHaveLength(1);
    expect(medium.requests).toHaveLength(1);
    expect(fast.requests).toHaveLength(6);

    const stats = c.stats().endpoints;
    const byURL = Object.fromEntries(stats.map((s) => [s.endpoint, s]));
    expect(byURL[dead]).toMatchObject({ failures: 1, successes: 0, ttftMs: null });
    expect(byURL[dead]!.lastError).toMatch(/cannot connect/);
    expect(byURL[fast.baseURL]!.ttftMs!).toBeLessThan(byURL[medium.baseURL]!.ttftMs!);
    expect(byURL[medium.baseURL]!.ttftMs!).toBeLessThan(byURL[slow.baseURL]!.ttftMs!);
    expect(byURL[fast.baseURL]).toMatchObject({ requests: 6, successes: 6, failures: 0, circuit: "closed" });
  });

  it("a 429 with retry-after on the only endpoint is waited out, then succeeds", async () => {
    const server = await start({ protocol: "openai", turns: [{ status: 429, retryAfter: 1 }, { text: "after the wait" }] });
    const started = performance.now();
    const result = await collect(client([server.baseURL]).stream("test/m", ask));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("after the wait");
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(server.requests).toHaveLength(2);
  });

  it("a 429 fails over to another endpoint at once instead of waiting", async () => {
    const limited = await start({ protocol: "openai", turns: [{ status: 429, retryAfter: 30 }] });
    const other = await start({ protocol: "openai", turns: [{ text: "from the other one" }] });
    const started = performance.now();
    const result = await collect(client([limited.baseURL, other.baseURL]).stream("test/m", ask));
    expect(result.text).toBe("from the other one");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("a retry-after longer than the bound is an error naming the wait", async () => {
    const server = await start({ protocol: "anthropic", turns: [{ status: 429, retryAfter: 120 }] });
    const c = createModelClient({ config: { providers: { test: { protocol: "anthropic", apiKey: "k", baseURL: server.baseURL } } }, env: {}, router: { maxRetryWaitMs: 2000 } });
    const result = await collect(c.stream("test/m", ask));
    expect(result.error?.kind).toBe("rate_limit");
    expect(result.error?.message).toMatch(/429.*retry after 120s/);
    expect(server.requests).toHaveLength(1);
  });

  it("falls back on a 5xx before the first token", async () => {
    const broken = await start({ protocol: "openai", turns: [{ status: 503 }] });
    const healthy = await start({ protocol: "openai", turns: [{ text: "fine" }] });
    const result = await collect(client([broken.baseURL, healthy.baseURL]).stream("test/m", ask));
    expect(result.text).toBe("fine");
    expect(broken.requests).toHaveLength(1);
  });

  it("never falls back after the first token: partial text, then the error", async () => {
    const cut = await start({ protocol: "openai", turns: [{ text: ["a ", "b ", "c ", "d "], cutAfterChunks: 2 }] });
    const healthy = await start({ protocol: "openai", turns: [{ text: "fine" }] });
    const result = await collect(client([cut.baseURL, healthy.baseURL]).stream("test/m", ask));
    expect(result.text).toBe("a b ");
    expect(result.error?.kind).toBe("stream");
    expect(healthy.requests).toHaveLength(0);
  });

  it("opens the circuit of an endpoint that keeps failing", async () => {
    const dead = `http://127.0.0.1:${await deadPort()}/v1`;
    const c = client([dead], { router: { failureThreshold: 2, cooldownMs: 60_000 } });
    for (let i = 0; i < 2; i++) expect((await collect(c.stream("test/m", ask))).error?.kind).toBe("connection");
    expect(c.stats().endpoints[0]!.circuit).toBe("open");
    const third = await collect(c.stream("test/m", ask));
    expect(third.error?.message).toMatch(/circuit open/);
    expect(c.stats().endpoints[0]!.requests).toBe(2); // the open circuit sent nothing
  });

  it("routes one model through several providers, skipping one without a key", async () => {
    const a = await start({ protocol: "openai", turns: [{ text: "via groq" }] });
    const b = await start({ protocol: "anthropic", turns: [{ text: "via anthropic-compatible" }] });
    const c = createModelClient({
      config: {
        providers: {
          groq: { baseURL: a.baseURL },
          together: { baseURL: a.baseURL },
          mirror: { protocol: "anthropic", baseURL: b.baseURL, apiKey: "k" },
        },
      },
      env: { GROQ_API_KEY: "k" },
    });
    // together has no TOGETHER_API_KEY: skipped; groq and mirror are both tried over time.
    const first = await collect(c.stream(["together/llama", "groq/llama-3.3-70b-versatile", "mirror/llama"], ask));
    const second = await collect(c.stream(["together/llama", "groq/llama-3.3-70b-versatile", "mirror/llama"], ask));
    expect([first.text, second.text].sort()).toEqual(["via anthropic-compatible", "via groq"]);
    expect(a.requests[0]!.body.model).toBe("llama-3.3-70b-versatile");
    expect(b.requests[0]!.body.model).toBe("llama");
  });
});

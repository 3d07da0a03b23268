// Errors a user can act on, through the real SDKs: 401 names the provider and env var, a cut stream
// keeps the partial text then errors, malformed SSE/NDJSON is an error and not a hang, 5xx, stalls.
import { afterEach, describe, expect, it } from "vitest";
import { collect, createModelClient } from "../../../server/providers/index.ts";
import { clientFor } from "../../support/providers/client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptProtocol } from "../../support/providers/scripted-server.ts";

let server: ScriptedProvider | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const protocols: ScriptProtocol[] = ["openai", "anthropic", "ollama"];
const ask = { messages: [{ role: "user" as const, content: "q" }] };

describe("401", () => {
  it.each([
    ["anthropic", "anthropic", "ANTHROPIC_API_KEY"],
    ["openai", "openai", "OPENAI_API_KEY"],
    ["groq", "openai", "GROQ_API_KEY"],
  ] as const)("%s: names the provider and the env var to set", async (provider, protocol, envVar) => {
    server = await startScriptedProvider({ protocol, turns: [{ status: 401 }] });
    const client = createModelClient({ config: { providers: { [provider]: { baseURL: server.baseURLs[protocol] } } }, env: { [envVar]: "sk-wrong" } });
    const result = await collect(client.stream(`${provider}/some-model`, ask));
    expect(result.error?.kind).toBe("auth");
    expect(result.error?.status).toBe(401);
    expect(result.error?.message).toContain(provider);
    expect(result.error?.message).toContain(envVar);
    expect(result.text).toBe("");
    expect(server.requests).toHaveLength(1); // an auth error is not retried
  });

  it("a missing key is reported before any request, naming the env var", async () => {
    const client = createModelClient({ config: { providers: {} }, env: {} });
    expect(client.checkModel("anthropic/claude-sonnet-4-5")).toMatch(/ANTHROPIC_API_KEY/);
    const result = await collect(client.stream("anthropic/claude-sonnet-4-5", ask));
    expect(result.error?.kind).toBe("auth");
    expect(result.error?.message).toMatch(/anthropic.*ANTHROPIC_API_KEY/);
  });
});

describe.each(protocols)("%s stream faults", (protocol) => {
  it("a stream cut mid-way yields the partial text, then an error event", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: ["one ", "two ", "three ", "four ", "five "], cutAfterChunks: 3 }] });
    const result = await collect(clientFor(server).stream("test/m", ask));
    expect(result.text).toBe("one two three ");
    expect(result.error?.kind).toBe("stream");
    expect(result.error?.message).toMatch(/cut off|ended before/);
    expect(result.events.at(-1)?.type).toBe("error");
    expect(result.stop).toBeUndefined();
  });

  it("malformed JSON in the stream is an error event, not a hang", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: ["ok ", "then ", "garbage"], malformed: "json" }] });
    const started = performance.now();
    const result = await collect(clientFor(server).stream("test/m", ask));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.text).toBe("ok ");
    expect(result.error?.kind).toBe("stream");
    expect(result.error?.message).toMatch(/malformed/i);
  });

  it("a body that is not the protocol at all is an error event", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: ["ok ", "then ", "garbage"], malformed: "garbage" }] });
    const result = await collect(clientFor(server).stream("test/m", ask));
    expect(result.text).toBe("ok ");
    expect(result.error?.kind).toBe("stream");
  });

  it("a stalled stream errors after the idle timeout", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: ["first ", "second"], hang: true }] });
    const result = await collect(clientFor(server, protocol, { idleTimeoutMs: 300 }).stream("test/m", ask));
    expect(result.text).toBe("first second");
    expect(result.error?.kind).toBe("timeout");
    expect(result.error?.message).toMatch(/stalled/);
  });

  it("a 500 on the only endpoint is an error event with the status", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ status: 500, errorMessage: "boom" }] });
    const result = await collect(clientFor(server).stream("test/m", ask));
    expect(result.error?.kind).toBe("server");
    expect(result.error?.status).toBe(500);
    expect(result.error?.message).toContain("500");
  });
});

describe("unknown provider", () => {
  it("says how to add it", () => {
    const client = createModelClient({ config: { providers: {} }, env: {} });
    expect(client.checkModel("nope/model")).toMatch(/unknown provider "nope".*providers\.nope/);
    expect(client.checkModel("no-slash")).toMatch(/provider\/model/);
  });
});

describe.each(protocols)("%s in-stream provider errors", (protocol) => {
  it("an error event after some text keeps the text, then errors", async () => {
    server = await startScriptedProvider({ protocol, turns: [{ text: ["partial ", "answer ", "more"], errorAfterChunks: 2, errorMessage: "Overloaded" }] });
    const result = await collect(clientFor(server).stream("test/m", ask));
    expect(result.text).toBe("partial answer ");
    expect(result.error?.message).toMatch(/Overloaded/);
    expect(result.error?.kind).toBe(protocol === "ollama" ? "stream" : "server");
  });
});

it("an overloaded error before the first token falls back to the next endpoint", async () => {
  server = await startScriptedProvider({ protocol: "anthropic", turns: [{ text: ["x"], errorAfterChunks: 0 }, { text: "from the fallback" }] });
  const other = await startScriptedProvider({ protocol: "anthropic", turns: [{ text: "from the fallback" }] });
  try {
    const client = createModelClient({ config: { providers: { test: { protocol: "anthropic", apiKey: "k", endpoints: [server.baseURL, other.baseURL] } } }, env: {} });
    const result = await collect(client.stream("test/m", ask));
    expect(result.text).toBe("from the fallback");
    expect(server.requests).toHaveLength(1);
  } finally {
    await other.close();
  }
});

// The first-token benches' measures: the delay from the scripted model writing its first content
// chunk to the openai SDK yielding it in this process (the baseline: what any client of the
// provider pays), and to the LSP front's first message_chunk update at its client.
import OpenAI from "openai";
import type { LspTestClient } from "../../test/support/lsp-client.ts";
import type { ScriptedProvider } from "../../test/support/providers/scripted-server.ts";

/** A function that streams one request through the openai SDK and returns first chunk written → yielded, ms. */
export function firstChunkViaSdk(provider: ScriptedProvider): () => Promise<number> {
  const sdk = new OpenAI({ apiKey: "k", baseURL: provider.baseURLs.openai, maxRetries: 0, logLevel: "off" });
  return async () => {
    const before = provider.requests.length;
    const stream = await sdk.chat.completions.create({ model: "m", messages: [{ role: "user", content: "say three words" }], stream: true, stream_options: { include_usage: true } });
    let at: number | undefined;
    for await (const chunk of stream) if (at === undefined && chunk.choices[0]?.delta?.content) at = performance.now();
    const written = provider.requests[before]?.firstChunkAt;
    if (written === undefined || at === undefined) throw new Error("no first chunk seen (sdk)");
    return at - written;
  };
}

/**
 * A function that runs one turn in a new LSP-front session (the custom protocol) and returns first
 * chunk written by the model → first message_chunk update at the client, ms.
 */
export async function firstChunkViaLsp(client: LspTestClient, provider: ScriptedProvider, title = "first token"): Promise<() => Promise<number>> {
  const { sessionId } = await client.request<{ sessionId: string }>("opencode/session/new", { title });
  let firstUpdateAt: number | undefined;
  client.connection.onNotification("opencode/session/update", (p: { sessionId: string; update: { kind: string } }) => {
    if (p.sessionId === sessionId && p.update.kind === "message_chunk" && firstUpdateAt === undefined) firstUpdateAt = performance.now();
  });
  return async () => {
    firstUpdateAt = undefined;
    const before = provider.requests.length;
    const result = await client.request<{ stopReason: string; error?: string }>("opencode/session/prompt", { sessionId, prompt: "say three words" });
    if (result.stopReason !== "end_turn") throw new Error(`prompt: ${result.stopReason} ${result.error ?? ""}`);
    const written = provider.requests[before]?.firstChunkAt;
    if (written === undefined || firstUpdateAt === undefined) throw new Error("no first chunk seen");
    return firstUpdateAt - written;
  };
}

// Compaction through the real loop: with a small context window, older turns are replaced by a
// summary the model writes, and the next request carries the summary instead of them.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { runTurn } from "../../../server/agent/turn.ts";
import type { Message } from "../../../server/providers/types.ts";
import { builtinTools, createToolContext, ToolRegistry } from "../../../server/tools/index.ts";
import { clientFor } from "../../support/providers/client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let provider: ScriptedProvider | undefined;
afterEach(async () => provider?.close());

it("summarizes older turns when the conversation nears the context window", async () => {
  const root = mkdtempSync(join(tmpdir(), "compaction-"));
  writeFileSync(join(root, "big.txt"), "lorem ipsum dolor sit amet\n".repeat(200)); // ~5,400 chars
  provider = await startScriptedProvider({
    protocol: "openai",
    turns: [
      { toolCalls: [{ id: "r1", name: "read", arguments: { path: "big.txt" } }], usage: { input: 300, output: 10 } },
      { toolCalls: [{ id: "r2", name: "read", arguments: { path: "big.txt", offset: 2 } }], usage: { input: 1000, output: 10 } },
      { toolCalls: [{ id: "r3", name: "read", arguments: { path: "big.txt", offset: 3 } }], usage: { input: 1900, output: 10 } },
      { text: "SUMMARY: the user asked to study big.txt; it was read twice." },
      { text: "Done studying." },
    ],
  });
  const client = clientFor(provider);
  const tools = new ToolRegistry({ tools: builtinTools(), config: {} });
  const messages: Message[] = [];
  const result = await runTurn({
    model: "test/m",
    client,
    tools,
    toolContext: createToolContext({ root }),
    messages,
    prompt: "study big.txt",
    system: "system",
    signal: new AbortController().signal,
    emit: () => undefined,
    contextWindow: 3000,
  });
  expect(result.stopReason).toBe("end_turn");
  expect(provider.requests).toHaveLength(5);
  const summaryRequest = JSON.stringify(provider.requests[3]!.body.messages);
  expect(summaryRequest).toContain("Summarize the conversation so far");
  const after = JSON.stringify(provider.requests[4]!.body.messages);
  expect(after).toContain("SUMMARY: the user asked to study big.txt");
  // The oldest exchange went into the summary; the recent ones stay verbatim, calls with their results.
  expect(after).not.toContain('"r1"');
  expect(after).toContain('"r2"');
  expect(after).toContain('"r3"');
  expect(messages[0]!.content).toContain("<conversation-summary>");
});

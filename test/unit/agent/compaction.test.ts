import { describe, expect, it } from "vitest";
import { compactionCut, estimateTokens, projectedTokens } from "../../../server/agent/compaction.ts";
import type { Message } from "../../../server/providers/types.ts";

const user = (content: string): Message => ({ role: "user", content });
const assistantCalling = (id: string): Message => ({ role: "assistant", content: "", toolCalls: [{ id, name: "read", input: { path: "a" } }] });
const result = (id: string): Message => ({ role: "tool", toolCallId: id, toolName: "read", content: "x".repeat(40) });

describe("compaction", () => {
  it("never starts the kept tail at a tool result", () => {
    const messages = [user("go"), assistantCalling("1"), result("1"), assistantCalling("2"), result("2"), assistantCalling("3"), result("3")];
    const cut = compactionCut(messages);
    expect(cut).toBeGreaterThan(0);
    expect(messages[cut]!.role).not.toBe("tool");
    // Every kept tool result still has its call in the tail.
    const tail = messages.slice(cut);
    for (const m of tail) if (m.role === "tool") expect(tail.some((a) => a.role === "assistant" && a.toolCalls?.some((c) => c.id === m.toolCallId))).toBe(true);
  });

  it("does nothing for a short conversation", () => {
    expect(compactionCut([user("hi"), { role: "assistant", content: "hello" }])).toBe(-1);
  });

  it("projects from the provider's count plus what was appended since", () => {
    const messages = [user("a".repeat(400)), { role: "assistant", content: "b".repeat(400) } as Message];
    expect(estimateTokens(messages)).toBe(200);
    expect(projectedTokens(messages, { usage: { inputTokens: 1000, outputTokens: 0, cachedTokens: 0 }, countedMessages: 1 }, "")).toBe(1100);
    expect(projectedTokens(messages, { countedMessages: 0 }, "s".repeat(40))).toBe(210);
  });
});

// The ACP front's pure translations: modes over the permissions, prompts (slash commands, attached
// resources), session updates (tool calls, usage and cost), the transcript replay, MCP server specs.
import { describe, expect, it } from "vitest";
import { initialMode, withMode } from "../../../server/acp/modes.ts";
import { promptOf } from "../../../server/acp/prompt.ts";
import { replayUpdates } from "../../../server/acp/replay.ts";
import { SessionUpdates } from "../../../server/acp/session-updates.ts";
import { DEFAULTS, type Config } from "../../../server/config/index.ts";

const config = (permissions: Partial<Config["permissions"]>): Config => ({ ...structuredClone(DEFAULTS), permissions: { ...DEFAULTS.permissions, ...permissions } }) as Config;

describe("modes", () => {
  it("each mode is a view of the configured permissions; a deny stays a deny", () => {
    const mixed = config({ edit: "allow", bash: { "git *": "allow", "*": "ask" } });
    expect(initialMode(mixed)).toBe("auto-edit");
    expect(withMode(mixed, "ask").permissions).toMatchObject({ edit: "ask", bash: { "git *": "allow", "*": "ask" } });
    expect(withMode(mixed, "plan").permissions).toMatchObject({ edit: "deny", bash: "deny", read: "allow" });
    const denied = config({ edit: "deny" });
    expect(initialMode(denied)).toBe("ask");
    expect(withMode(denied, "auto-edit").permissions.edit).toBe("deny");
    expect(withMode(denied, "ask").permissions.edit).toBe("deny");
  });
});

describe("prompts", () => {
  it("a slash command becomes its task; arguments name the target; other text is left alone", () => {
    expect(promptOf([{ type: "text", text: "/review the parser" }]).text).toMatch(/^Review the parser: point out bugs/);
    expect(promptOf([{ type: "text", text: "/review" }]).text).toContain("the uncommitted changes in this workspace");
    expect(promptOf([{ type: "text", text: "/tests" }, { type: "resource_link", uri: "file:///w/a.ts", name: "a.ts" }])).toEqual({
      text: expect.stringMatching(/^Write tests for the attached code/),
      context: ["The user referenced file:///w/a.ts (a.ts); read it if it matters."],
    });
    expect(promptOf([{ type: "text", text: "/unknown thing" }]).text).toBe("/unknown thing");
    expect(promptOf([{ type: "image", data: "AAAA", mimeType: "image/png" }]).context[0]).toContain("cannot see");
  });
});

describe("session updates", () => {
  it("usage_update: the context used against the window, and the session's cost so far", () => {
    const updates = new SessionUpdates("/w", { contextWindow: () => 200_000, price: () => ({ input: 3, output: 15 }) });
    updates.translate({ kind: "usage", inputTokens: 1000, outputTokens: 100, cachedTokens: 0 });
    expect(updates.translate({ kind: "usage", inputTokens: 2000, outputTokens: 200, cachedTokens: 0 })).toEqual([
      { sessionUpdate: "usage_update", used: 2200, size: 200_000, cost: { amount: 0.0135, currency: "USD" } },
    ]);
  });

  it("a tool call's kind and locations; a failed edit shows its error, not a diff", () => {
    const updates = new SessionUpdates("/w", { contextWindow: () => undefined, price: () => undefined });
    expect(updates.translate({ kind: "tool_call", id: "c", tool: "edit", title: "edit a.ts", input: { path: "a.ts", oldString: "x", newString: "y" } })).toEqual([
      { sessionUpdate: "tool_call", toolCallId: "c", title: "edit a.ts", kind: "edit", status: "in_progress", locations: [{ path: "/w/a.ts" }], rawInput: { path: "a.ts", oldString: "x", newString: "y" } },
    ]);
    expect(updates.running?.id).toBe("c");
    const [end] = updates.translate({ kind: "tool_result", id: "c", status: "failed", output: "oldString was not found" });
    expect(end).toMatchObject({ status: "failed", content: [{ type: "content", content: { type: "text", text: "oldString was not found" } }] });
    expect(updates.running).toBeUndefined();
  });
});

describe("replay", () => {
  it("turns the transcript into user and agent chunks, tool calls with their results, and the last plan", () => {
    const updates = replayUpdates(
      [
        { role: "user", content: "plan and fix\n\n<context>\nsecret file text\n</context>" },
        { role: "assistant", content: "", toolCalls: [{ id: "t", name: "todo", input: { todos: [{ content: "fix", status: "in_progress" }] } }, { id: "w", name: "write", input: { path: "n.ts", content: "new\n" } }] },
        { role: "tool", toolCallId: "t", toolName: "todo", content: "[~] fix" },
        { role: "tool", toolCallId: "w", toolName: "write", content: "Created n.ts" },
        { role: "assistant", content: "Done." },
      ],
      "/w",
    );
    expect(updates.map((u) => u.sessionUpdate)).toEqual(["user_message_chunk", "tool_call", "tool_call", "tool_call_update", "tool_call_update", "agent_message_chunk", "plan"]);
    expect(updates[0]).toMatchObject({ content: { text: "plan and fix" } });
    expect(updates[4]).toMatchObject({ toolCallId: "w", content: [{ type: "diff", path: "/w/n.ts", oldText: null, newText: "new\n" }] });
    expect(updates[6]).toEqual({ sessionUpdate: "plan", entries: [{ content: "fix", status: "in_progress", priority: "medium" }] });
  });
});

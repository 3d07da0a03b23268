// session/load: the conversation replayed as `session/update`s, from the transcript (so sessions
// restored from disk or imported from a share link replay too): the user's prompts, the answers, each
// tool call with its result, and the last plan. Reasoning is not kept in the transcript, so thoughts
// do not come back.
import type * as acp from "@agentclientprotocol/sdk";
import type { Message, ToolCall } from "../providers/types.ts";
import { fallbackTitle, planEntries, toolCallEnded, toolCallStarted } from "./tool-calls.ts";

/** The prompt as the user wrote it: the turn appends the attached context after a blank line. */
function userText(content: string): string {
  const at = content.indexOf("\n\n<context>\n");
  return at === -1 ? content : content.slice(0, at);
}

export function replayUpdates(messages: Message[], root: string): acp.SessionUpdate[] {
  const out: acp.SessionUpdate[] = [];
  const calls = new Map<string, ToolCall>();
  let plan: acp.SessionUpdate | undefined;
  for (const m of messages) {
    if (m.role === "user") {
      out.push({ sessionUpdate: "user_message_chunk", content: { type: "text", text: userText(m.content) } });
    } else if (m.role === "assistant") {
      if (m.content) out.push({ sessionUpdate: "agent_message_chunk", content: { type: "text", text: m.content } });
      for (const call of m.toolCalls ?? []) {
        calls.set(call.id, call);
        out.push(toolCallStarted(call.id, call.name, call.input, fallbackTitle(call.name, call.input), root));
      }
    } else {
      const call = calls.get(m.toolCallId);
      const input = call?.input ?? {};
      out.push(toolCallEnded({ id: m.toolCallId, tool: m.toolName, input, status: m.isError ? "failed" : "completed", output: m.content }, root));
      if (m.toolName === "todo" && !m.isError && Array.isArray(input.todos)) plan = { sessionUpdate: "plan", entries: planEntries(input.todos as { content: string; status: string; priority?: string }[]) };
    }
  }
  if (plan) out.push(plan);
  return out;
}

// Compaction: when the conversation nears the model's context window, older messages are replaced
// by a summary the model writes. The cut never separates a tool result from the call it answers.
import type { Message, Usage } from "../providers/types.ts";
import type { ModelClient } from "./model-client.ts";

/** Compact when the next request would fill more than this share of the context window. */
export const COMPACT_AT = 0.8;
/** Messages kept verbatim after a compaction (at least; the cut moves to a safe boundary). */
const KEEP_RECENT = 4;

/** A rough token count for text the model has not counted yet (about four characters a token). */
export function estimateTokens(messages: readonly Message[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += m.content.length;
    if (m.role === "assistant") for (const call of m.toolCalls ?? []) chars += call.name.length + JSON.stringify(call.input).length;
  }
  return Math.ceil(chars / 4);
}

/**
 * Tokens the next request will send: the last prompt the provider counted, plus an estimate of what
 * was appended since (the provider counted `countedMessages` of them).
 */
export function projectedTokens(messages: readonly Message[], last: { usage?: Usage; countedMessages: number }, system: string): number {
  if (!last.usage) return estimateTokens(messages) + Math.ceil(system.length / 4);
  return last.usage.inputTokens + estimateTokens(messages.slice(last.countedMessages));
}

/** Index where the kept tail starts, or -1 when there is nothing worth compacting. */
export function compactionCut(messages: readonly Message[]): number {
  let cut = messages.length - KEEP_RECENT;
  // Start the tail at a user message, or an assistant message: never at a tool result.
  while (cut > 0 && messages[cut]!.role === "tool") cut--;
  return cut >= 2 ? cut : -1;
}

const SUMMARY_PROMPT = `Summarize the conversation so far for your own later use: the user's goals, what was done (files read and changed, commands run and their results), decisions, and what remains. Be complete but brief; this summary replaces the conversation.`;

/** Replaces messages[0..cut) with a summary written by the model. Returns false when it could not. */
export async function compact(
  messages: Message[],
  client: ModelClient,
  model: string,
  system: string,
  signal: AbortSignal,
): Promise<boolean> {
  const cut = compactionCut(messages);
  if (cut === -1) return false;
  const older = messages.slice(0, cut);
  let summary = "";
  for await (const event of client.stream(model, { system, messages: [...older, { role: "user", content: SUMMARY_PROMPT }], signal })) {
    if (event.type === "text") summary += event.text;
    if (event.type === "error") return false;
  }
  if (!summary.trim()) return false;
  const block = `<conversation-summary>\n${summary.trim()}\n</conversation-summary>`;
  const first = messages[cut]!;
  // Roles keep alternating: the summary is a user message, merged into the tail's first if that is one.
  if (first.role === "user") messages.splice(0, cut + 1, { role: "user", content: `${block}\n\n${first.content}` });
  else messages.splice(0, cut, { role: "user", content: block });
  return true;
}

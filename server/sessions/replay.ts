import type { SessionUpdate } from "../bus/events.ts";

/**
 * Keeps an update for replay (`opencode/session/load`): consecutive text chunks are joined, so a
 * long answer is one entry, not thousands.
 */
export function keepForReplay(updates: SessionUpdate[], update: SessionUpdate): void {
  const last = updates.at(-1);
  if (last && (update.kind === "message_chunk" || update.kind === "thought_chunk") && last.kind === update.kind) {
    updates[updates.length - 1] = { kind: update.kind, text: last.text + update.text };
    return;
  }
  updates.push(update);
}

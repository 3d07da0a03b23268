// Every event that crosses layers, as one discriminated union. Producers publish plain objects;
// the adapters in lsp/ (and later acp/) turn them into editor calls.
import type { ConfigIssue } from "../config/index.ts";

/** One step of a session as the fronts show it (SPEC.md `opencode/session/update`). */
export type SessionUpdate =
  | { kind: "message_chunk"; text: string }
  | { kind: "thought_chunk"; text: string }
  | { kind: "tool_call"; id: string; tool: string; title: string; input: unknown }
  | { kind: "tool_result"; id: string; status: "completed" | "failed"; output: string }
  | { kind: "edit"; uri: string; edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[] }
  | { kind: "plan"; entries: { content: string; status: string; priority?: string }[] }
  | { kind: "usage"; inputTokens: number; outputTokens: number; cachedTokens: number }
  /** The session's changes pending the user's review (the whole set; a file listed with no hunks was cleared). */
  | { kind: "review"; files: { uri: string; hunks: ReviewHunk[] }[] };

/** One pending change: whole lines of the file as it is now, and what would replace them. */
export interface ReviewHunk {
  /** Stable while the hunk's text and file stay the same (typing elsewhere keeps it). */
  id: string;
  sessionId: string;
  uri: string;
  /** The lines [start.line, end.line) it replaces; start = end: an insertion before start.line. */
  range: { start: { line: number; character: 0 }; end: { line: number; character: 0 } };
  oldText: string;
  newText: string;
  added: number;
  removed: number;
}

export type BusEvent =
  /** A session made progress: text, a tool call or result, an edit, the plan, token usage. */
  | { type: "session.update"; sessionId: string; update: SessionUpdate }
  /** A new session (not one restored from retention "local"). */
  | { type: "session.created"; sessionId: string }
  /** A turn ended, in any front, inline or in a worker; `errorKind` when it ended in an error. */
  | { type: "session.turn_ended"; sessionId: string; stopReason: string; errorKind?: string }
  /** `revert` undid a session's edits; `files` is how many files changed back. */
  | { type: "session.reverted"; sessionId: string; files: number }
  /** The user's verdict on a session's edits (published by the review feature; counted by telemetry). */
  | { type: "session.edits_reviewed"; sessionId: string; outcome: "accepted" | "rejected"; edits: number }
  /** A request finished; the monitor keeps latency percentiles from these. */
  | { type: "request.completed"; method: string; ms: number; ok: boolean }
  /** The effective configuration changed (after a reload that produced a different result). */
  | { type: "config.changed" }
  /** A configuration source was refused; the last good value of that source stays in force. */
  | { type: "config.invalid"; issues: ConfigIssue[] }
  /** Documents opened in or closed by the editor. */
  | { type: "document.opened"; uri: string; languageId: string; version: number }
  | { type: "document.closed"; uri: string }
  /** Something the user should see (a window/showMessage in the LSP front). */
  | { type: "notice"; level: "error" | "warning" | "info"; message: string };

export type BusEventType = BusEvent["type"];
export type EventOf<T extends BusEventType> = Extract<BusEvent, { type: T }>;

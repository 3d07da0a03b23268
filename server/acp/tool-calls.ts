// How one of our tool calls looks in ACP: its kind (read, edit, execute, search, fetch...), the files
// it touches (`locations`) and, when it ends, its content: the edit as `diff` entries, the command's
// client terminal, or the tool's text output. Used live and when a session is replayed.
import { isAbsolute, resolve } from "node:path";
import type * as acp from "@agentclientprotocol/sdk";

const KINDS: Record<string, acp.ToolKind> = {
  read: "read",
  write: "edit",
  edit: "edit",
  multiedit: "edit",
  grep: "search",
  glob: "search",
  list: "search",
  symbols: "search",
  references: "search",
  definition: "search",
  hover: "read",
  diagnostics: "read",
  bash: "execute",
  webfetch: "fetch",
  todo: "think",
};

type Input = Record<string, unknown>;

const str = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);

function pathOf(input: Input, root: string): string | undefined {
  const path = str(input.path);
  return path === undefined ? undefined : isAbsolute(path) ? path : resolve(root, path);
}

export function toolKind(tool: string): acp.ToolKind {
  return KINDS[tool] ?? "other";
}

/** A title when the tool's own is not at hand (replay): the tool and its main argument. */
export function fallbackTitle(tool: string, input: Input): string {
  const subject = str(input.description) ?? str(input.command) ?? str(input.path) ?? str(input.pattern) ?? str(input.url);
  return subject ? `${tool} ${subject}` : tool;
}

function locations(input: Input, root: string): acp.ToolCallLocation[] {
  const path = pathOf(input, root);
  if (!path) return [];
  const line = typeof input.line === "number" ? input.line : typeof input.offset === "number" ? input.offset : undefined;
  return [{ path, ...(line !== undefined ? { line } : {}) }];
}

/** The `tool_call` update that opens a call. */
export function toolCallStarted(id: string, tool: string, input: Input, title: string, root: string): acp.SessionUpdate {
  return { sessionUpdate: "tool_call", toolCallId: id, title, kind: toolKind(tool), status: "in_progress", locations: locations(input, root), rawInput: input };
}

/** What an edit tool changes, as diff entries (from its input: the replaced text and its replacement). */
export function diffs(tool: string, input: Input, root: string): acp.ToolCallContent[] {
  const path = pathOf(input, root);
  if (!path) return [];
  if (tool === "edit" && typeof input.oldString === "string" && typeof input.newString === "string") {
    return [{ type: "diff", path, oldText: input.oldString, newText: input.newString }];
  }
  if (tool === "multiedit" && Array.isArray(input.edits)) {
    return (input.edits as Input[]).flatMap((e) => (typeof e.oldString === "string" && typeof e.newString === "string" ? [{ type: "diff" as const, path, oldText: e.oldString, newText: e.newString }] : []));
  }
  if (tool === "write" && typeof input.content === "string") return [{ type: "diff", path, oldText: null, newText: input.content }];
  return [];
}

export interface CallEnd {
  id: string;
  tool: string;
  input: Input;
  status: "completed" | "failed";
  output: string;
  /** The client terminal the command ran in, if it did. */
  terminalId?: string;
}

/** The `tool_call_update` that closes a call. */
export function toolCallEnded(end: CallEnd, root: string): acp.SessionUpdate {
  const edits = end.status === "completed" ? diffs(end.tool, end.input, root) : [];
  const content: acp.ToolCallContent[] = end.terminalId
    ? [{ type: "terminal", terminalId: end.terminalId }]
    : edits.length > 0
      ? edits
      : [{ type: "content", content: { type: "text", text: end.output } }];
  return { sessionUpdate: "tool_call_update", toolCallId: end.id, status: end.status, content, rawOutput: { output: end.output } };
}

/** The plan entries ACP shows (cancelled entries drop out; a missing priority is medium). */
export function planEntries(entries: { content: string; status: string; priority?: string }[]): acp.PlanEntry[] {
  return entries.flatMap((e) => {
    if (e.status !== "pending" && e.status !== "in_progress" && e.status !== "completed") return [];
    const priority = e.priority === "high" || e.priority === "low" ? e.priority : "medium";
    return [{ content: e.content, status: e.status, priority }];
  });
}

// An MCP tool result as the text the model reads: text blocks as they are, structured content as
// JSON when there is no text, media and blobs as a line naming them (their bytes would only fill
// the context). `isError` makes it a failed result. The registry caps it like any tool's output;
// the bound here only keeps a huge result from crossing the worker boundary whole.
import type { McpCallResult } from "./types.ts";

/** The most text taken from one result before the registry's own cap (which is far smaller). */
export const MAX_RESULT_CHARS = 1024 * 1024;

interface Block {
  type: string;
  text?: string;
  mimeType?: string;
  data?: string;
  uri?: string;
  name?: string;
  resource?: { uri: string; mimeType?: string; text?: string; blob?: string };
}

export interface CallToolResultLike {
  content?: Block[];
  structuredContent?: unknown;
  isError?: boolean;
  /** Old servers answer `{ toolResult }`. */
  toolResult?: unknown;
}

function describeBlock(block: Block): string {
  switch (block.type) {
    case "text":
      return block.text ?? "";
    case "image":
    case "audio":
      return `[${block.type} ${block.mimeType ?? ""}, ${Math.round(((block.data?.length ?? 0) * 3) / 4)} bytes, not shown]`;
    case "resource_link":
      return `[resource ${block.uri}${block.name ? ` (${block.name})` : ""}]`;
    case "resource": {
      const r = block.resource;
      if (r?.text !== undefined) return `[resource ${r.uri}]\n${r.text}`;
      return `[resource ${r?.uri ?? "?"} ${r?.mimeType ?? ""}, binary, not shown]`;
    }
    default:
      return `[${block.type} content, not shown]`;
  }
}

export function resultText(result: CallToolResultLike): McpCallResult {
  const parts = (result.content ?? []).map(describeBlock).filter((p) => p !== "");
  const hasText = (result.content ?? []).some((b) => b.type === "text");
  if (!hasText && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent, null, 2));
  if (parts.length === 0 && result.toolResult !== undefined) parts.push(typeof result.toolResult === "string" ? result.toolResult : JSON.stringify(result.toolResult, null, 2));
  let output = parts.join("\n");
  if (output.length > MAX_RESULT_CHARS) output = `${output.slice(0, MAX_RESULT_CHARS)}\n[result cut at ${MAX_RESULT_CHARS} characters]`;
  if (!output) output = result.isError ? "The tool failed without saying why." : "(no output)";
  return { status: result.isError ? "failed" : "completed", output };
}

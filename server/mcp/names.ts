// The names the model calls MCP tools by: `SERVER_tool`, as OpenCode names them, made safe for
// every provider's tool-name rule (^[A-Za-z0-9_-]{1,64}$).
import { createHash } from "node:crypto";

export const MAX_TOOL_NAME = 64;

const sanitize = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, "_");

/** `SERVER_tool`; a name too long keeps its head and gets a short hash of the whole, so it stays unique. */
export function mcpToolName(server: string, tool: string): string {
  const name = `${sanitize(server)}_${sanitize(tool)}`;
  if (name.length <= MAX_TOOL_NAME) return name;
  const hash = createHash("sha256").update(`${server}\0${tool}`).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
}

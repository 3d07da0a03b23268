// What the rest of the server sees of MCP: plain objects that cross a worker boundary unchanged
// (structured-cloned), and the interface a session uses. Nothing here loads the MCP SDK.
import type { McpConfig } from "../config/schema.ts";

export type { McpConfig };

/** A server's state: not started yet, starting, usable, coming back after a crash, or out. */
export type McpState = "idle" | "starting" | "ready" | "restarting" | "failed" | "disabled" | "refused";

/** One MCP tool as the agent offers it to the model. */
export interface McpToolInfo {
  /** The name the model calls: `SERVER_tool`, sanitised to [A-Za-z0-9_-], at most 64 characters. */
  name: string;
  /** The configured server name and the server's own tool name. */
  server: string;
  tool: string;
  description: string;
  /** The server's JSON Schema for the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
}

/** A server whose tools the model cannot have now, and why. */
export interface McpUnavailable {
  server: string;
  state: McpState;
  reason: string;
}

export interface McpToolList {
  tools: McpToolInfo[];
  unavailable: McpUnavailable[];
}

/** A tool call's outcome, already text: what the model reads. */
export interface McpCallResult {
  status: "completed" | "failed";
  output: string;
}

/** One server for `mcp list`, doctor and `opencode.mcp.list`. */
export interface McpServerReport {
  name: string;
  type: "local" | "remote";
  state: McpState;
  /** Why it is failed / refused / restarting. */
  error?: string;
  /** For a session's own server (ACP `mcpServers`). */
  session?: string;
  /** The remote transport that answered, when connected. */
  transport?: "stdio" | "streamable-http" | "sse";
  restarts: number;
  pid?: number;
  tools: { name: string; description: string }[];
  resources: { uri: string; name: string; description?: string }[];
  prompts: { name: string; description?: string }[];
}

/** What a session uses: its tools (starting servers on first use) and calls. */
export interface McpSessionAccess {
  tools(): Promise<McpToolList>;
  call(server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult>;
}

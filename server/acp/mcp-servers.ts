// session/new's mcpServers as the session keeps them (name/value lists made records). Wiring them into
// the tools is the MCP layer's job; this front accepts stdio servers (every ACP agent must) and says
// it cannot reach http or sse ones (mcpCapabilities).
import type * as acp from "@agentclientprotocol/sdk";
import type { McpServerSpec } from "../sessions/session.ts";

/** ACP's MCP server description as the session keeps it. */
export function mcpSpec(server: acp.McpServer): McpServerSpec {
  if ("type" in server && (server.type === "http" || server.type === "sse")) {
    return { name: server.name, type: server.type, url: server.url, headers: Object.fromEntries(server.headers.map((h) => [h.name, h.value])) };
  }
  const stdio = server as acp.McpServerStdio;
  return { name: stdio.name, type: "stdio", command: stdio.command, args: stdio.args, env: Object.fromEntries(stdio.env.map((e) => [e.name, e.value])) };
}

// MCP: the user's Model Context Protocol servers, whose tools join the agent's. What other layers
// import; the SDK itself loads only with the hub (hub.ts, through LazyMcpHub).
export { LazyMcpHub, type LazyMcpHubOptions, type McpStatus } from "./lazy-hub.ts";
export { fromAcpMcpServers, type AcpMcpServer } from "./acp.ts";
export { mcpToolName } from "./names.ts";
export * from "./types.ts";

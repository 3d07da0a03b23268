// ACP's `mcpServers` (session/new, session/load) as our config entries, so a session given servers
// by Zed runs them the way configured ones run: `LazyMcpHub.setSessionServers(sessionId, entries)`.
import type { McpConfig } from "./types.ts";

interface NameValue {
  name: string;
  value: string;
}

/** ACP's McpServer: stdio `{ name, command, args, env[] }`, or `{ type: "http" | "sse", name, url, headers[] }`. */
export type AcpMcpServer =
  | { type?: undefined; name: string; command: string; args: string[]; env: NameValue[] }
  | { type: "stdio"; name: string; command: string; args: string[]; env: NameValue[] }
  | { type: "http" | "sse"; name: string; url: string; headers: NameValue[] };

const pairs = (list: NameValue[] | undefined) => Object.fromEntries((list ?? []).map(({ name, value }) => [name, value]));

/** Our entries by name; a later server of the same name replaces an earlier one. */
export function fromAcpMcpServers(servers: AcpMcpServer[]): Record<string, McpConfig> {
  const entries: Record<string, McpConfig> = {};
  for (const server of servers) {
    if ("url" in server) {
      const headers = pairs(server.headers);
      entries[server.name] = { type: "remote", url: server.url, ...(Object.keys(headers).length ? { headers } : {}) };
    } else {
      const environment = pairs(server.env);
      entries[server.name] = { type: "local", command: [server.command, ...(server.args ?? [])], ...(Object.keys(environment).length ? { environment } : {}) };
    }
  }
  return entries;
}

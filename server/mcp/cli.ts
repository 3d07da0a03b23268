// `opencode-lsp mcp list [--json]`: starts every configured MCP server the way a session would (in
// this directory, with this config), reports what each offers or why it cannot, and stops them.
import { ConfigStore, formatIssue, loadConfigFiles } from "../config/index.ts";
import { LazyMcpHub } from "./lazy-hub.ts";
import { formatReports } from "./report.ts";
import type { McpServerReport } from "./types.ts";

export interface McpListIo {
  cwd: string;
  json: boolean;
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The reports of the servers configured for `cwd`; undefined (and a message) on a bad config. */
export async function probeMcpServers(cwd: string, stderr: (text: string) => void): Promise<McpServerReport[] | undefined> {
  const store = new ConfigStore();
  const issues = loadConfigFiles(store, cwd);
  if (issues.length > 0) {
    stderr(`opencode-lsp: invalid configuration: ${issues.map(formatIssue).join("; ")}\n`);
    return undefined;
  }
  const hub = new LazyMcpHub({ root: cwd, config: () => store.config });
  try {
    return await hub.list();
  } finally {
    await hub.close();
  }
}

export async function mcpList(io: McpListIo): Promise<number> {
  const reports = await probeMcpServers(io.cwd, io.stderr);
  if (!reports) return 2;
  io.stdout(io.json ? `${JSON.stringify(reports, null, 2)}\n` : `${formatReports(reports, { details: true })}\n`);
  return 0;
}

// Every MCP server of one server process: the configured ones (`mcp` in the config, followed as it
// changes) and each session's own (ACP's `mcpServers`), which end with their session. A session
// sees its own servers and the configured ones (its own win on a name clash). Servers start on
// first use, all in parallel; one that cannot start is reported as unavailable, never thrown.
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { McpConnection, type ConnectionDeps } from "./connection.ts";
import { mcpToolName } from "./names.ts";
import type { McpCallResult, McpConfig, McpServerReport, McpSessionAccess, McpToolInfo, McpToolList } from "./types.ts";

export interface McpHubOptions extends Omit<ConnectionDeps, "log"> {
  config: () => Pick<Config, "mcp">;
  log?: Logger;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class McpHub {
  private readonly configured = new Map<string, McpConnection>();
  private readonly bySession = new Map<string, Map<string, McpConnection>>();
  private readonly options: McpHubOptions;
  private readonly deps: ConnectionDeps;

  constructor(options: McpHubOptions) {
    this.options = options;
    const { config: _config, ...deps } = options;
    this.deps = deps;
    this.configure();
  }

  /** Follows `config.mcp`: a changed or removed entry's server is stopped; new ones start on use. */
  configure(): void {
    const entries = this.options.config().mcp ?? {};
    for (const [name, connection] of this.configured) {
      if (same(entries[name], connection.entry)) continue;
      void connection.close();
      this.configured.delete(name);
    }
    for (const [name, entry] of Object.entries(entries)) {
      if (!this.configured.has(name)) this.configured.set(name, new McpConnection(name, entry, this.deps));
    }
  }

  /** A session's own servers (replacing any it had). */
  setSessionServers(sessionId: string, entries: Record<string, McpConfig>): void {
    void this.endSession(sessionId);
    const own = new Map(Object.entries(entries).map(([name, entry]) => [name, new McpConnection(name, entry, this.deps, sessionId)]));
    if (own.size > 0) this.bySession.set(sessionId, own);
  }

  /** The session ended: its own servers stop. */
  async endSession(sessionId: string): Promise<void> {
    const own = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    await Promise.all([...(own?.values() ?? [])].map((c) => c.close()));
  }

  private connections(sessionId?: string): McpConnection[] {
    const own = sessionId ? this.bySession.get(sessionId) : undefined;
    const list = [...(own?.values() ?? [])];
    for (const [name, connection] of this.configured) if (!own?.has(name)) list.push(connection);
    return list;
  }

  /** Every server, or those of one session, for `mcp list`, doctor and opencode.mcp.list. */
  all(sessionId?: string): McpConnection[] {
    if (sessionId) return this.connections(sessionId);
    return [...this.configured.values(), ...[...this.bySession.values()].flatMap((own) => [...own.values()])];
  }

  /** The tools a session's model is offered now, and the servers it cannot use, with why. */
  async tools(sessionId?: string): Promise<McpToolList> {
    const list: McpToolList = { tools: [], unavailable: [] };
    const seen = new Set<string>();
    const answers = await Promise.all(
      this.connections(sessionId)
        .filter((c) => c.state !== "disabled")
        .map(async (c) => ({ c, ...(await c.tools().then((tools) => ({ tools }), (error: Error) => ({ error })) ) })),
    );
    for (const answer of answers) {
      const { c } = answer;
      if ("error" in answer) {
        list.unavailable.push({ server: c.name, state: c.state, reason: c.error ?? answer.error.message });
        continue;
      }
      for (const tool of answer.tools) {
        const name = mcpToolName(c.name, tool.name);
        if (seen.has(name)) {
          this.options.log?.warn({ mcp: c.name, tool: tool.name, name }, "two MCP tools map to one name; the second is left out");
          continue;
        }
        seen.add(name);
        const info: McpToolInfo = { name, server: c.name, tool: tool.name, description: tool.description ?? tool.title ?? `${tool.name} (MCP server ${c.name})`, inputSchema: tool.inputSchema as Record<string, unknown> };
        list.tools.push(info);
      }
    }
    return list;
  }

  async call(sessionId: string | undefined, server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult> {
    const connection = this.connections(sessionId).find((c) => c.name === server);
    if (!connection) return { status: "failed", output: `There is no MCP server "${server}" (any more); ${tool} was not run.` };
    return connection.call(tool, args, signal);
  }

  /** Reports of every server (or one session's): starts those not started yet. */
  list(sessionId?: string): Promise<McpServerReport[]> {
    return Promise.all(this.all(sessionId).map((c) => c.report()));
  }

  forSession(sessionId: string): McpSessionAccess {
    return {
      tools: () => this.tools(sessionId),
      call: (server, tool, args, signal) => this.call(sessionId, server, tool, args, signal),
    };
  }

  /** Stops every server (their process groups are killed). */
  async close(): Promise<void> {
    const all = this.all();
    this.configured.clear();
    this.bySession.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}

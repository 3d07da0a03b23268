// The MCP hub as every front holds it: nothing of the MCP SDK loads until a session, `mcp list` or
// doctor needs a server, and none at all while no server is configured or given to a session.
// Bundled, the hub is a bundle of its own (dist/mcp/hub.js): the SDK's classic zod would otherwise
// share its core with the server's zod/mini in a chunk the language server loads at start-up.
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { audit } from "../privacy/audit.ts";
import { auditPolicyDenial, checkRequestURL, hostOf } from "../privacy/policy.ts";
import type { McpHub, McpHubOptions } from "./hub.ts";
import type { McpCallResult, McpConfig, McpServerReport, McpSessionAccess, McpState, McpToolList } from "./types.ts";

export interface LazyMcpHubOptions {
  root: string;
  config: () => Pick<Config, "mcp" | "policy">;
  log?: Logger;
  notice?: McpHubOptions["notice"];
}

/** The hub's module: its own bundle next to this one's (dist/ or dist/run/), or the source in tests. */
function importHub(): Promise<typeof import("./hub.ts")> {
  if (import.meta.url.endsWith(".ts")) return import(new URL("./hub.ts", import.meta.url).href);
  const here = new URL(".", import.meta.url);
  const dist = /\/(run|worker)\/$/.test(here.pathname) ? new URL("../", here) : here;
  return import(new URL("mcp/hub.js", dist).href);
}

/** A server's state without starting anything (health). */
export interface McpStatus {
  name: string;
  type: "local" | "remote";
  state: McpState;
  error?: string;
  session?: string;
  restarts: number;
  pid?: number;
}

export class LazyMcpHub {
  private hub: McpHub | undefined;
  private loading: Promise<McpHub> | undefined;
  private readonly sessionEntries = new Map<string, Record<string, McpConfig>>();
  private readonly options: LazyMcpHubOptions;

  constructor(options: LazyMcpHubOptions) {
    this.options = options;
  }

  private configured(): Record<string, McpConfig> {
    return this.options.config().mcp ?? {};
  }

  /** Whether a session (or anyone) has a server that could run. */
  private wanted(sessionId?: string): boolean {
    if (this.loading) return true;
    if (Object.values(this.configured()).some((e) => e.enabled !== false)) return true;
    return sessionId ? this.sessionEntries.has(sessionId) : this.sessionEntries.size > 0;
  }

  private load(): Promise<McpHub> {
    this.loading ??= importHub().then(({ McpHub }) => {
      const hub = new McpHub({
        ...this.options,
        audit,
        refuse: (name, url) => {
          const denial = checkRequestURL(url, this.options.config().policy);
          if (denial) auditPolicyDenial(denial, { mcp: name, host: hostOf(url) });
          return denial?.message;
        },
      });
      for (const [id, entries] of this.sessionEntries) hub.setSessionServers(id, entries);
      this.hub = hub;
      return hub;
    });
    return this.loading;
  }

  async tools(sessionId?: string): Promise<McpToolList> {
    if (!this.wanted(sessionId)) return { tools: [], unavailable: [] };
    return (await this.load()).tools(sessionId);
  }

  async call(sessionId: string | undefined, server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult> {
    return (await this.load()).call(sessionId, server, tool, args, signal);
  }

  /** Every server's report (starting them); none when none is configured. */
  async list(sessionId?: string): Promise<McpServerReport[]> {
    if (!this.loading && Object.keys(this.configured()).length === 0 && this.sessionEntries.size === 0) return [];
    return (await this.load()).list(sessionId);
  }

  forSession(sessionId: string): McpSessionAccess {
    return {
      tools: () => this.tools(sessionId),
      call: (server, tool, args, signal) => this.call(sessionId, server, tool, args, signal),
    };
  }

  /** The configuration changed: follow `mcp` (a no-op until the hub is loaded, which reads it then). */
  configure(): void {
    this.hub?.configure();
  }

  /** A session's own MCP servers (ACP `mcpServers`), stopped with `endSession`. */
  setSessionServers(sessionId: string, entries: Record<string, McpConfig>): void {
    if (Object.keys(entries).length > 0) this.sessionEntries.set(sessionId, entries);
    else this.sessionEntries.delete(sessionId);
    this.hub?.setSessionServers(sessionId, entries);
  }

  async endSession(sessionId: string): Promise<void> {
    this.sessionEntries.delete(sessionId);
    await this.hub?.endSession(sessionId);
  }

  /** States without starting anything. */
  status(): McpStatus[] {
    if (this.hub) {
      return this.hub.all().map((c) => ({
        name: c.name,
        type: c.entry.type,
        state: c.state,
        ...(c.error ? { error: c.error } : {}),
        ...(c.session ? { session: c.session } : {}),
        restarts: c.restarts,
        ...(c.pid !== undefined ? { pid: c.pid } : {}),
      }));
    }
    return Object.entries(this.configured()).map(([name, entry]) => ({ name, type: entry.type, state: entry.enabled === false ? "disabled" : "idle", restarts: 0 }));
  }

  /** Stops every server; waits for a hub still loading. */
  async close(): Promise<void> {
    this.sessionEntries.clear();
    const hub = await this.loading?.catch(() => undefined);
    await hub?.close();
  }
}

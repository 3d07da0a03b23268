// One configured MCP server, through the SDK's Client: started on first use (a local one as a
// sandboxed child over stdio, a remote one over Streamable HTTP with SSE as the fallback), its
// lists cached until the server says they changed, restarted with backoff when it dies, and given
// up on after too many crashes. Every fault becomes a state and a reason, never a throw at a turn:
// a call to a server that is down answers "unavailable" as a failed tool result.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, type Tool as McpTool } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../log.ts";
import type { AuditEvent } from "../privacy/audit.ts";
import { VERSION } from "../version.ts";
import { resultText } from "./result.ts";
import { SandboxedStdioTransport } from "./stdio-transport.ts";
import type { McpCallResult, McpConfig, McpServerReport, McpState } from "./types.ts";

/**
 * What a connection needs from the server around it. The hub is a bundle of its own (the SDK stays
 * out of the others), so the audit log and the policy, which are the server's, come in as functions.
 */
export interface ConnectionDeps {
  root: string;
  log?: Logger;
  /** Something the user should see: a server that failed, or was given up on. */
  notice?: (level: "error" | "warning", message: string) => void;
  /** Records an audit event (the server's audit log). */
  audit?: (event: AuditEvent) => void;
  /** Why policy refuses contacting `url` for server `name` (offline mode), recorded; undefined when it may. */
  refuse?: (name: string, url: string) => string | undefined;
}

/** Starting a server and listing its tools, unless the entry's `timeout` says otherwise (OpenCode's default). */
export const DEFAULT_STARTUP_TIMEOUT_MS = 5_000;
/** One tool call; progress notifications from the server restart the clock. */
export const CALL_TIMEOUT_MS = 120_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 8_000;
/** Given up on after this many crashes within CRASH_WINDOW_MS (until that window has passed). */
export const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

type TransportKind = NonNullable<McpServerReport["transport"]>;

export class McpConnection {
  readonly name: string;
  readonly entry: McpConfig;
  /** The session a session's own server belongs to. */
  readonly session: string | undefined;
  state: McpState;
  error: string | undefined;
  restarts = 0;
  transport: TransportKind | undefined;
  private readonly deps: ConnectionDeps;
  private client: Client | undefined;
  private stdio: SandboxedStdioTransport | undefined;
  private starting: Promise<Client> | undefined;
  private toolCache: McpTool[] | undefined;
  private crashes: number[] = [];
  /** Consecutive failed starts, for the backoff; and when the next may be tried. */
  private failures = 0;
  private retryAt = 0;
  private closed = false;

  constructor(name: string, entry: McpConfig, deps: ConnectionDeps, session?: string) {
    this.name = name;
    this.entry = entry;
    this.deps = deps;
    this.session = session;
    this.state = entry.enabled === false ? "disabled" : "idle";
  }

  get pid(): number | undefined {
    return this.state === "ready" ? this.stdio?.pid : undefined;
  }

  private get timeout(): number {
    return this.entry.timeout ?? DEFAULT_STARTUP_TIMEOUT_MS;
  }

  /** The connected client: starts the server on first use; waits for a start or restart under way. */
  ready(): Promise<Client> {
    if (this.client && this.state === "ready") return Promise.resolve(this.client);
    if (this.starting) return this.starting;
    if (this.closed) return Promise.reject(new Error("closed"));
    if (this.state === "disabled") return Promise.reject(new Error("disabled in the configuration (enabled: false)"));
    if (this.state === "failed" && Date.now() < this.retryAt) return Promise.reject(new Error(this.error ?? "failed"));
    return this.launch(0);
  }

  private launch(delayMs: number): Promise<Client> {
    this.state = this.restarts > 0 ? "restarting" : "starting";
    const attempt = (async () => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      if (this.closed) throw new Error("closed");
      return this.connect();
    })();
    const started: Promise<Client> = attempt.then(
      async (client) => {
        if (this.closed) {
          await client.close().catch(() => undefined);
          throw new Error("closed");
        }
        this.starting = undefined;
        this.client = client;
        this.state = "ready";
        this.error = undefined;
        this.failures = 0;
        return client;
      },
      (error: unknown) => {
        this.starting = undefined;
        if (this.state !== "refused") this.fail((error as Error).message);
        throw error;
      },
    );
    this.starting = started;
    return started;
  }

  private fail(reason: string): void {
    const first = this.state !== "failed";
    this.state = "failed";
    this.error = reason;
    this.failures++;
    this.retryAt = Date.now() + backoff(this.failures);
    this.deps.log?.warn({ mcp: this.name, reason }, "MCP server unavailable");
    if (first) this.deps.notice?.("warning", `opencode-lsp: MCP server "${this.name}" is unavailable: ${reason}`);
  }

  private async connect(): Promise<Client> {
    const entry = this.entry;
    if (entry.type === "local") {
      const env = { ...entry.env, ...entry.environment };
      const transport = new SandboxedStdioTransport({ argv: entry.command, root: this.deps.root, env, name: this.name, ...(this.deps.log ? { log: this.deps.log } : {}) });
      const client = await this.open(transport, () => transport.exitReason);
      this.stdio = transport;
      this.transport = "stdio";
      this.deps.audit?.({ event: "mcp.connected", server: this.name, transport: "stdio", command: entry.command[0] });
      return client;
    }
    const refused = this.deps.refuse?.(this.name, entry.url);
    if (refused) {
      this.state = "refused";
      this.error = refused;
      throw new Error(refused);
    }
    const url = new URL(entry.url);
    const requestInit = entry.headers ? { headers: entry.headers } : undefined;
    let client: Client;
    try {
      client = await this.open(new StreamableHTTPClientTransport(url, requestInit ? { requestInit } : {}));
      this.transport = "streamable-http";
    } catch (error) {
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) throw error;
      // Servers of the 2024-11-05 protocol speak HTTP+SSE only.
      try {
        client = await this.open(new SSEClientTransport(url, requestInit ? { requestInit } : {}));
        this.transport = "sse";
      } catch (sseError) {
        throw new Error(`Streamable HTTP: ${(error as Error).message}; SSE: ${(sseError as Error).message}`);
      }
    }
    this.deps.audit?.({ event: "mcp.connected", server: this.name, transport: this.transport, host: url.host });
    return client;
  }

  /** A client connected over `transport` (initialize within the timeout), watched for its end. */
  private async open(transport: Transport, exitReason?: () => string | undefined): Promise<Client> {
    const client = new Client(
      { name: "opencode-lsp", version: VERSION },
      { listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => void (this.toolCache = undefined) } } },
    );
    try {
      await client.connect(transport, { timeout: this.timeout });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new Error(startError(error, exitReason?.(), this.timeout));
    }
    this.toolCache = undefined;
    client.onclose = () => this.lost(client, exitReason?.() ?? "the connection closed");
    return client;
  }

  /** The server went away while in use: restart it after a backoff, unless it keeps crashing. */
  private lost(client: Client, reason: string): void {
    if (this.closed || client !== this.client) return;
    this.client = undefined;
    this.stdio = undefined;
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashes.length >= MAX_CRASHES) {
      this.state = "failed";
      this.error = `${reason} (crashed ${this.crashes.length} times within ${CRASH_WINDOW_MS / 1000} s; not restarted)`;
      this.retryAt = this.crashes[0]! + CRASH_WINDOW_MS;
      this.deps.log?.error({ mcp: this.name, reason }, "MCP server keeps crashing; given up");
      this.deps.notice?.("error", `opencode-lsp: MCP server "${this.name}" ${this.error}`);
      return;
    }
    this.restarts++;
    this.error = reason;
    const delay = backoff(this.crashes.length);
    this.deps.log?.warn({ mcp: this.name, reason, delayMs: delay }, "MCP server stopped; restarting");
    this.launch(delay).catch(() => undefined);
  }

  /** The server's tools (listed once, again after it announced a change or restarted). */
  async tools(): Promise<McpTool[]> {
    const client = await this.ready();
    if (!client.getServerCapabilities()?.tools) return [];
    if (this.toolCache) return this.toolCache;
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.timeout });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    this.toolCache = tools;
    return tools;
  }

  async call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult> {
    let client: Client;
    try {
      client = await this.ready();
    } catch (error) {
      return { status: "failed", output: `The MCP server "${this.name}" is unavailable (${(error as Error).message}); ${tool} was not run. Do without it, or try again later.` };
    }
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: CALL_TIMEOUT_MS,
        resetTimeoutOnProgress: true,
        onprogress: () => undefined,
        ...(signal ? { signal } : {}),
      });
      return resultText(result as Parameters<typeof resultText>[0]);
    } catch (error) {
      if (signal?.aborted) return { status: "failed", output: "Cancelled." };
      const err = error as Error;
      if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) return { status: "failed", output: `The MCP server "${this.name}" did not answer ${tool} within ${CALL_TIMEOUT_MS / 1000} s.` };
      if (err instanceof McpError && err.code === ErrorCode.ConnectionClosed) {
        return { status: "failed", output: `The MCP server "${this.name}" stopped during ${tool} (${this.error ?? "connection closed"}); it is being restarted. The call may or may not have taken effect.` };
      }
      if (!(err instanceof McpError) && this.entry.type === "remote") {
        // The HTTP connection failed: drop this client, connect afresh.
        this.lost(client, err.message);
        void client.close().catch(() => undefined);
      }
      return { status: "failed", output: `The MCP server "${this.name}" failed ${tool}: ${err.message}` };
    }
  }

  /** Everything `mcp list` shows: starts the server if need be; a fault is the report's state. */
  async report(): Promise<McpServerReport> {
    const base = (): McpServerReport => ({
      name: this.name,
      type: this.entry.type,
      state: this.state,
      ...(this.error ? { error: this.error } : {}),
      ...(this.session ? { session: this.session } : {}),
      ...(this.transport && this.state === "ready" ? { transport: this.transport } : {}),
      restarts: this.restarts,
      ...(this.pid !== undefined ? { pid: this.pid } : {}),
      tools: [],
      resources: [],
      prompts: [],
    });
    if (this.state === "disabled") return base();
    try {
      const tools = await this.tools();
      const client = await this.ready();
      const caps = client.getServerCapabilities() ?? {};
      const resources = caps.resources ? (await client.listResources({}, { timeout: this.timeout })).resources : [];
      const prompts = caps.prompts ? (await client.listPrompts({}, { timeout: this.timeout })).prompts : [];
      return {
        ...base(),
        tools: tools.map((t) => ({ name: t.name, description: t.description ?? t.title ?? "" })),
        resources: resources.map((r) => ({ uri: r.uri, name: r.name, ...(r.description ? { description: r.description } : {}) })),
        prompts: prompts.map((p) => ({ name: p.name, ...(p.description ? { description: p.description } : {}) })),
      };
    } catch (error) {
      const report = base();
      return report.error ? report : { ...report, error: (error as Error).message };
    }
  }

  /** Stops the server for good (its process group is killed). */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await this.starting?.catch(() => undefined);
    await client?.close().catch(() => undefined);
    if (this.state !== "disabled") this.state = "idle";
  }
}

function backoff(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/** Why a start failed, in words: the child's exit and stderr, a timeout, a refused connection. */
function startError(error: unknown, exitReason: string | undefined, timeoutMs: number): string {
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) return `did not answer initialize within ${timeoutMs} ms`;
  if (exitReason) return exitReason;
  const err = error as Error & { cause?: { message?: string; code?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return `${err.message}${cause ? ` (${cause})` : ""}`;
}

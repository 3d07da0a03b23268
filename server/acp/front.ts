// The ACP front: the SDK's agent app, whose handlers drive the same SessionManager and Session API
// as the LSP front (each session's loop in a worker). Params are validated by the SDK's schemas;
// what they cannot say (an unknown session, a bad cwd, an unknown mode) is a JSON-RPC error here.
// Session updates come off the bus and go out as `session/update`, translated per session.
import { realpathSync, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import * as acp from "@agentclientprotocol/sdk";
import { agent, methods, PROTOCOL_VERSION, RequestError } from "@agentclientprotocol/sdk";
import { Bus } from "../bus/bus.ts";
import type { SessionUpdate } from "../bus/events.ts";
import type { Logger } from "../log.ts";
import type { AnySession } from "../sessions/manager.ts";
import { ClientBuffers } from "./client-buffers.ts";
import { configOptions, MODE_OPTION, MODEL_OPTION } from "./config-options.ts";
import { fromAcpMcpServers } from "../mcp/index.ts";
import { initialMode, isMode, modeState, PLAN_MODE_NOTE, withMode, type ModeId } from "./modes.ts";
import { askThroughClient } from "./permissions.ts";
import { availableCommands, promptOf } from "./prompt.ts";
import { replayUpdates } from "./replay.ts";
import type { AcpRuntime } from "./runtime.ts";
import { SessionUpdates } from "./session-updates.ts";
import { runInClientTerminal } from "./terminal.ts";

/** A session as this connection knows it. */
interface AcpSession {
  session: AnySession;
  runtime: AcpRuntime;
  mode: ModeId;
  updatedAt: Date;
  updates: SessionUpdates;
  /** What the user answered "always reject" to. */
  refused: Set<string>;
}

const AUTH_METHOD: acp.AuthMethod = {
  id: "opencode-config",
  name: "Use the configured model",
  description: 'Set "model" in opencode.json (or ~/.config/opencode-lsp/config.json) and the provider\'s API key in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...), or run Ollama locally.',
};

const STOP: Record<"end_turn" | "cancelled" | "max_turns" | "refusal", acp.StopReason> = { end_turn: "end_turn", cancelled: "cancelled", max_turns: "max_turn_requests", refusal: "refusal" };

export interface AcpFrontOptions {
  log: Logger;
  version: string;
}

export class AcpFront {
  readonly app: acp.AgentApp;
  private connection: acp.AgentConnection | undefined;
  private capabilities: acp.ClientCapabilities = {};
  private readonly buffers: ClientBuffers;
  private readonly runtimes = new Map<string, AcpRuntime>();
  private readonly sessions = new Map<string, AcpSession>();
  private readonly bus: Bus;
  private readonly log: Logger;
  private readonly version: string;

  constructor(options: AcpFrontOptions) {
    this.log = options.log;
    this.version = options.version;
    const log = this.log;
    this.bus = new Bus((error, event) => log.error({ err: error, event: event.type }, "bus listener failed"));
    this.bus.on("session.update", (e) => this.forward(e.sessionId, e.update));
    this.bus.on("notice", (e) => log[e.level === "info" ? "info" : "warn"](e.message));
    this.buffers = new ClientBuffers({ client: () => this.client(), fs: () => this.capabilities.fs, log });
    this.app = agent({ name: "opencode-lsp" })
      .onRequest(methods.agent.initialize, ({ params }) => this.initialize(params))
      .onRequest(methods.agent.authenticate, ({ params }) => this.authenticate(params))
      .onRequest(methods.agent.session.new, ({ params }) => this.newSession(params))
      .onRequest(methods.agent.session.load, ({ params }) => this.loadSession(params))
      .onRequest(methods.agent.session.resume, ({ params }) => this.resumeSession(params))
      .onRequest(methods.agent.session.list, ({ params }) => this.listSessions(params))
      .onRequest(methods.agent.session.close, ({ params }) => this.closeSession(params))
      .onRequest(methods.agent.session.prompt, ({ params, signal }) => this.prompt(params, signal))
      .onRequest(methods.agent.session.setMode, ({ params }) => this.setMode(this.require(params.sessionId), params.modeId))
      .onRequest(methods.agent.session.setConfigOption, ({ params }) => this.setConfigOption(params))
      .onNotification(methods.agent.session.cancel, ({ params }) => this.sessions.get(params.sessionId)?.session.cancel());
  }

  connect(stream: acp.Stream): acp.AgentConnection {
    this.connection = this.app.connect(stream);
    return this.connection;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map((r) => r.dispose()));
  }

  private client(): acp.AgentContext {
    if (!this.connection) throw new Error("the ACP front is not connected");
    return this.connection.client;
  }

  // Lifecycle --------------------------------------------------------------------------------

  private initialize(params: acp.InitializeRequest): acp.InitializeResponse {
    this.capabilities = params.clientCapabilities ?? {};
    this.log.info({ client: params.clientInfo, protocolVersion: params.protocolVersion }, "ACP initialize");
    return {
      protocolVersion: PROTOCOL_VERSION,
      agentCapabilities: {
        loadSession: true,
        promptCapabilities: { image: false, audio: false, embeddedContext: true },
        // A session's own MCP servers (session/new, load, resume): stdio, and remote over Streamable HTTP or SSE.
        mcpCapabilities: { http: true, sse: true },
        sessionCapabilities: { list: {}, resume: {}, close: {} },
      },
      authMethods: [AUTH_METHOD],
      agentInfo: { name: "opencode-lsp", title: "OpenCode", version: this.version },
    };
  }

  /** Nothing to log in to: the configuration is read again, so a key or model set meanwhile counts. */
  private authenticate(params: acp.AuthenticateRequest): acp.AuthenticateResponse {
    if (params.methodId !== AUTH_METHOD.id) throw RequestError.invalidParams({ methodId: params.methodId }, `unknown auth method "${params.methodId}"`);
    for (const runtime of this.runtimes.values()) runtime.reload();
    return {};
  }

  // Sessions ---------------------------------------------------------------------------------

  private async newSession(params: acp.NewSessionRequest): Promise<acp.NewSessionResponse> {
    const runtime = await this.runtimeFor(params.cwd);
    const problem = runtime.reload();
    if (problem) throw RequestError.invalidParams({ issues: runtime.issues }, problem);
    let session: AnySession;
    try {
      session = runtime.sessions.create({ mcpServers: fromAcpMcpServers(params.mcpServers) });
    } catch (error) {
      throw RequestError.authRequired({ authMethods: [AUTH_METHOD.id] }, (error as Error).message);
    }
    const entry = this.register(runtime, session);
    this.afterResponse(() => this.announceCommands(session.id));
    return { sessionId: session.id, ...(await this.sessionState(entry)) };
  }

  private async loadSession(params: acp.LoadSessionRequest): Promise<acp.LoadSessionResponse> {
    const entry = await this.find(params.sessionId, params.cwd);
    this.useMcpServers(entry, params.mcpServers);
    for (const update of replayUpdates(entry.session.messages, entry.runtime.root)) await this.notify(entry.session.id, update);
    this.afterResponse(() => this.announceCommands(entry.session.id));
    return this.sessionState(entry);
  }

  private async resumeSession(params: acp.ResumeSessionRequest): Promise<acp.ResumeSessionResponse> {
    const entry = await this.find(params.sessionId, params.cwd);
    this.useMcpServers(entry, params.mcpServers);
    this.afterResponse(() => this.announceCommands(entry.session.id));
    return this.sessionState(entry);
  }

  /** load and resume may name the session's MCP servers again (a client restarted); absent, the last ones stay. */
  private useMcpServers(entry: AcpSession, servers: acp.McpServer[] | undefined): void {
    if (servers && servers.length > 0) entry.runtime.sessions.mcp.setSessionServers(entry.session.id, fromAcpMcpServers(servers));
  }

  private async listSessions(params: acp.ListSessionsRequest): Promise<acp.ListSessionsResponse> {
    const runtimes = params.cwd ? [await this.runtimeFor(params.cwd)] : [...this.runtimes.values()];
    const sessions = runtimes.flatMap((runtime) =>
      runtime.sessions.list().map((info) => ({
        sessionId: info.sessionId,
        cwd: runtime.root,
        title: info.title,
        updatedAt: this.sessions.get(info.sessionId)?.updatedAt.toISOString() ?? info.createdAt,
      })),
    );
    return { sessions };
  }

  /** Stops the session's work and frees it; with retention "local" it stays on disk, to be loaded again. */
  private closeSession(params: acp.CloseSessionRequest): acp.CloseSessionResponse {
    const entry = this.require(params.sessionId);
    entry.session.cancel();
    this.sessions.delete(params.sessionId);
    if (entry.runtime.config.retention !== "local") entry.runtime.sessions.end(params.sessionId);
    return {};
  }

  // Turns ------------------------------------------------------------------------------------

  private async prompt(params: acp.PromptRequest, signal: AbortSignal): Promise<acp.PromptResponse> {
    const entry = this.require(params.sessionId);
    const { session, runtime } = entry;
    if (session.busy) throw RequestError.invalidRequest({ sessionId: session.id }, "a turn is already running in this session");
    const { text, context } = promptOf(params.prompt);
    if (!text && context.length === 0) throw RequestError.invalidParams({ sessionId: session.id }, "the prompt is empty");
    if (session.title === "New session" && text) {
      session.title = text.split("\n", 1)[0]!.slice(0, 60);
      void this.notify(session.id, { sessionUpdate: "session_info_update", title: session.title });
    }
    const cancel = () => session.cancel();
    signal.addEventListener("abort", cancel, { once: true });
    let result;
    try {
      result = await session.prompt(text || "Look at the attached context.", { context: entry.mode === "plan" ? [PLAN_MODE_NOTE, ...context] : context });
    } finally {
      signal.removeEventListener("abort", cancel);
      entry.updatedAt = new Date();
      runtime.sessions.persist(session);
    }
    if (result.stopReason === "error") throw new RequestError(-32603, `OpenCode: ${result.error ?? "the turn failed"}`, { sessionId: session.id });
    return { stopReason: STOP[result.stopReason] };
  }

  private setMode(entry: AcpSession, modeId: string): acp.SetSessionModeResponse {
    if (!isMode(modeId)) throw RequestError.invalidParams({ modeId }, `unknown mode "${modeId}"`);
    entry.mode = modeId;
    // A running worker gets the new permissions at once; an idle one reads them when it starts.
    if ("configure" in entry.session) entry.session.configure(withMode(entry.runtime.config, modeId));
    return {};
  }

  private async setConfigOption(params: acp.SetSessionConfigOptionRequest): Promise<acp.SetSessionConfigOptionResponse> {
    const entry = this.require(params.sessionId);
    const value = params.value;
    if (params.configId === MODE_OPTION && typeof value === "string") {
      this.setMode(entry, value);
    } else if (params.configId === MODEL_OPTION && typeof value === "string") {
      // Any model that can be used now (a known provider, a key), like the LSP front's model.select.
      try {
        entry.runtime.sessions.setModel(entry.session.id, value);
      } catch (error) {
        throw RequestError.invalidParams({ value }, (error as Error).message);
      }
    } else {
      throw RequestError.invalidParams({ configId: params.configId }, `no config option "${params.configId}" taking ${JSON.stringify(value)}`);
    }
    return { configOptions: (await this.sessionState(entry)).configOptions };
  }

  // Plumbing ---------------------------------------------------------------------------------

  /** The runtime of a workspace root (an absolute directory), made on first use. */
  private async runtimeFor(cwd: string): Promise<AcpRuntime> {
    let root: string;
    try {
      if (!isAbsolute(cwd) || !statSync(cwd).isDirectory()) throw new Error("not a directory");
      root = realpathSync(cwd);
    } catch {
      throw RequestError.invalidParams({ cwd }, `cwd must be the absolute path of a directory, got ${JSON.stringify(cwd)}`);
    }
    let runtime = this.runtimes.get(root);
    if (!runtime) {
      // The agent (providers, sessions, Yjs) loads with the first session, not for initialize.
      const { AcpRuntime } = await import("./runtime.ts");
      runtime = this.runtimes.get(root) ?? new AcpRuntime({
        root,
        bus: this.bus,
        log: this.log,
        buffers: this.buffers,
        hooks: {
          ask: (id) => askThroughClient({ client: () => this.client(), root, sessionId: id, running: () => this.sessions.get(id)?.updates.running, refused: () => this.sessions.get(id)?.refused, log: this.log }),
          config: (id, config) => withMode(config, this.sessions.get(id)?.mode ?? initialMode(config)),
          runCommand: (id) => (this.capabilities.terminal ? runInClientTerminal({ client: () => this.client(), sessionId: id, started: (callId, terminalId) => this.ranInTerminal(id, callId, terminalId) }) : undefined),
        },
      });
      this.runtimes.set(root, runtime);
      if (runtime.config.audit.enabled) (await import("../privacy/index.ts")).configureAudit(runtime.config);
    }
    await runtime.ready; // the usage counters hear the first session's creation
    return runtime;
  }

  private register(runtime: AcpRuntime, session: AnySession): AcpSession {
    const entry: AcpSession = {
      session,
      runtime,
      mode: initialMode(runtime.config),
      updatedAt: session.createdAt,
      refused: new Set(),
      updates: new SessionUpdates(runtime.root, {
        contextWindow: () => runtime.client.contextWindow(session.model),
        price: () => runtime.client.modelInfo(session.model)?.price,
      }),
    };
    this.sessions.set(session.id, entry);
    return entry;
  }

  private require(sessionId: string): AcpSession {
    const entry = this.sessions.get(sessionId);
    if (!entry) throw RequestError.sessionNotFound(sessionId);
    return entry;
  }

  /** A session of this connection, or one its runtime holds (restored with retention "local"). */
  private async find(sessionId: string, cwd: string): Promise<AcpSession> {
    const known = this.sessions.get(sessionId);
    if (known) return known;
    const runtime = await this.runtimeFor(cwd);
    const session = runtime.sessions.get(sessionId);
    if (!session) throw RequestError.sessionNotFound(sessionId);
    return this.register(runtime, session);
  }

  private async sessionState(entry: AcpSession): Promise<{ modes: acp.SessionModeState; configOptions: acp.SessionConfigOption[] }> {
    const models = await entry.runtime.usableModels();
    return { modes: modeState(entry.mode), configOptions: configOptions(models, { model: entry.session.model, mode: entry.mode }) };
  }

  private forward(sessionId: string, update: SessionUpdate): void {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    for (const out of entry.updates.translate(update)) void this.notify(sessionId, out);
  }

  /** A command of the session's tool call runs in a client terminal: the call shows it. */
  private ranInTerminal(sessionId: string, callId: string | undefined, terminalId: string): void {
    if (!callId) return;
    this.sessions.get(sessionId)?.updates.ranInTerminal(callId, terminalId);
    void this.notify(sessionId, { sessionUpdate: "tool_call_update", toolCallId: callId, content: [{ type: "terminal", terminalId }] });
  }

  private notify(sessionId: string, update: acp.SessionUpdate): Promise<void> {
    return this.client()
      .notify(methods.client.session.update, { sessionId, update })
      .catch((error: unknown) => this.log.debug({ err: error }, "session/update not sent"));
  }

  private announceCommands(sessionId: string): void {
    void this.notify(sessionId, { sessionUpdate: "available_commands_update", availableCommands: availableCommands() });
  }

  /** Runs `fn` once the response being built is on its way (the client knows the session by then). */
  private afterResponse(fn: () => void): void {
    setImmediate(fn);
  }
}

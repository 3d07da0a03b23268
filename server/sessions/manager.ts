// The session manager: creates, lists, finds, reverts and ends sessions over one workspace doc.
// Every front (LSP, ACP, headless run) goes through it.
import { relative } from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Bus } from "../bus/bus.ts";
import type { TextEdit } from "./editor-replica.ts";
import type { Logger } from "../log.ts";
import type { ModelClient } from "../agent/model-client.ts";
import type { AskPermission, LanguageIntel, RunCommand } from "../tools/types.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import { DiskWorkspaceFiles } from "../tools/workspace-files.ts";
import type { Config } from "../config/index.ts";
import { LazyMcpHub, type McpConfig, type McpSessionAccess } from "../mcp/index.ts";
import type { McpTurnTools } from "../tools/mcp-tools.ts";
import { Session, type PromptOptions } from "./session.ts";
import type { TurnResult } from "../agent/turn.ts";
import { WorkerSession, type WorkerLimits } from "./worker-session.ts";
import { Workspace, type WriteFile, type WriteResult } from "./workspace.ts";
import { SessionStore, type StoredSession } from "./retention.ts";
import { YjsWorkspaceFiles } from "./yjs-files.ts";
import { splicesToEdits, type Splice } from "./text-diff.ts";

/** A session running inline (in this thread) or in its own worker. */
export type AnySession = Session | WorkerSession;

export interface SessionManagerOptions {
  root: string;
  /**
   * "worker" (the editor fronts): each session's loop in a worker thread with limits, which builds
   * its own tools. "inline": in this thread, with `tools` (so the editor fronts' main thread never
   * loads the tools).
   */
  isolation?: "worker" | "inline";
  /** The tools for inline sessions. */
  tools?: ToolRegistry;
  /** How inline sessions build their MCP tools (tools/mcp-tools.ts `mcpTools`); without it they have none. */
  mcpTools?: (access: McpSessionAccess) => Promise<McpTurnTools>;
  limits?: WorkerLimits;
  bus: Bus;
  log?: Logger;
  client: ModelClient;
  /** The live configuration (permissions, policy, model). */
  config: () => Config;
  /** Asks the user about one session's tool call. */
  ask?: (sessionId: string) => AskPermission;
  /** The proxied language servers: adds the LSP tools and diagnostics after edits. */
  intel?: LanguageIntel;
  /** One session's view of the configuration (the ACP front's modes change its permissions); worker sessions. */
  sessionConfig?: (sessionId: string, config: Config) => Config;
  /** Runs one session's bash commands when the front runs them itself (an ACP client's terminal). */
  runCommand?: (sessionId: string) => RunCommand | undefined;
}

/**
 * Told about the sessions' lives, and asked around their turns: the extension point that syncs
 * sessions with other machines (server/sync/). Absent, nothing changes.
 */
export interface SessionObserver {
  created?(session: AnySession): void;
  ended?(id: string): void;
  /** Before a turn (it may wait for another machine's turn); resolves to what runs after it. */
  beforeTurn?(session: AnySession): Promise<(() => Promise<void>) | undefined>;
  /** After this machine's revert of a session: how many files others reverted. */
  reverted?(id: string): Promise<number>;
}

export interface SessionInfo {
  sessionId: string;
  title: string;
  model: string;
  createdAt: string;
  messages: number;
}

export interface CreateOptions {
  model?: string;
  title?: string;
  /** The session's own MCP servers (ACP `mcpServers`, through fromAcpMcpServers), stopped when it ends. */
  mcpServers?: Record<string, McpConfig>;
}

export class SessionManager {
  readonly workspace: Workspace;
  /** The MCP servers of every session here: the configured ones and each session's own. */
  readonly mcp: LazyMcpHub;
  private readonly unsubscribe: () => void;
  private readonly sessions = new Map<string, AnySession>();
  private readonly disk: DiskWorkspaceFiles;
  private readonly options: SessionManagerOptions;
  private observer: SessionObserver | undefined;

  constructor(options: SessionManagerOptions) {
    this.options = options;
    const allowPaths = options.config().policy.allowPaths;
    this.disk = new DiskWorkspaceFiles(options.root, allowPaths ? { allowPaths } : {});
    const writeFile: WriteFile = async (abs, text) => {
      await this.disk.writeText((await this.disk.resolve(abs)).rel, text);
    };
    this.workspace = new Workspace({
      writeFile,
      timing: () => options.config().edits,
      notice: (message) => options.bus.publish({ type: "notice", level: "warning", message }),
      names: { path: (abs) => relative(options.root, abs) || abs, session: (id) => `"${this.sessions.get(id)?.title ?? id}"` },
      ...(options.log ? { log: options.log } : {}),
    });
    // The review's pending set reaches the fronts as the session's `review` update (not kept in its history: it is state).
    this.workspace.review.onChange((sessionId, files) => options.bus.publish({ type: "session.update", sessionId, update: { kind: "review", files } }));
    this.mcp = new LazyMcpHub({
      root: options.root,
      config: options.config,
      ...(options.log ? { log: options.log } : {}),
      notice: (level, message) => options.bus.publish({ type: "notice", level, message }),
    });
    this.unsubscribe = options.bus.on("config.changed", () => this.mcp.configure());
  }

  /** retention "local": the store sessions persist in, restored when the manager starts. */
  private store: SessionStore | undefined;

  /** Restores the sessions kept with retention "local" (call once, after construction). */
  restore(): number {
    if (this.options.config().retention !== "local") return 0;
    this.store = new SessionStore();
    let restored = 0;
    for (const stored of this.store.loadAll((id, error) => this.options.log?.warn({ id, err: error }, "a stored session could not be read"))) {
      if (this.sessions.has(stored.id)) continue;
      try {
        this.create({ model: stored.model, title: stored.title }, stored);
        restored++;
      } catch (error) {
        this.options.log?.warn({ id: stored.id, err: error }, "a stored session could not be restored");
      }
    }
    return restored;
  }

  /** After a turn: with retention "local" the session is saved (encrypted); otherwise nothing is written. */
  persist(session: AnySession): void {
    if (this.options.config().retention !== "local") return;
    this.store ??= new SessionStore();
    this.store.save({ id: session.id, title: session.title, model: session.model, createdAt: session.createdAt.toISOString(), messages: session.messages, updates: session.updates });
  }

  /** Sets the observer; it is told about the sessions that exist already. */
  observe(observer: SessionObserver | undefined): void {
    this.observer = observer;
    for (const session of this.sessions.values()) observer?.created?.(session);
  }

  create(options: CreateOptions = {}, stored?: StoredSession): AnySession {
    const session = this.build(options, stored?.id);
    if (options.mcpServers) this.mcp.setSessionServers(session.id, options.mcpServers);
    if (stored) {
      session.createdAt = new Date(stored.createdAt);
      session.seed(stored.messages, stored.updates);
    } else this.options.bus.publish({ type: "session.created", sessionId: session.id });
    this.observer?.created?.(session);
    return session;
  }

  /** Runs one turn of `session`, in turn with other machines' when it is shared. */
  async prompt(session: AnySession, text: string, options: PromptOptions = {}): Promise<TurnResult> {
    const after = await this.observer?.beforeTurn?.(session);
    // What the user rejected since the last turn goes with this prompt, so the model knows.
    const rejected = this.workspace.review.takeRejections(session.id);
    if (rejected.length > 0) options = { ...options, context: [...rejected, ...(options.context ?? [])] };
    try {
      return await session.prompt(text, options);
    } finally {
      await after?.();
    }
  }

  private build(options: CreateOptions, restoredId?: string): AnySession {
    const model = this.usableModel(options.model ?? this.options.config().model);
    const { bus, log, client } = this.options;
    const id = restoredId ?? crypto.randomUUID();
    const runCommand = this.options.runCommand?.(id);
    const meta = { id, model, ...(options.title ? { title: options.title } : {})};
    if (this.options.isolation === "worker") {
      const ask = this.options.ask?.(id);
      const { config, sessionConfig } = this.options;
      const session = new WorkerSession(
        {
          root: this.options.root,
          bus,
          workspace: this.workspace,
          config: sessionConfig ? () => sessionConfig(id, config()) : config,
          ...(ask ? { ask } : {}),
          ...(runCommand ? { runCommand } : {}),
          ...(log ? { log } : {}),
          ...(this.options.limits ? { limits: this.options.limits } : {}),
          ...(this.options.intel ? { intel: this.options.intel } : {}),
          mcp: this.mcp.forSession(id),
          onWrite: (s, abs, result, before) => this.published(s, abs, result, before),
        },
        meta,
      );
      this.sessions.set(id, session);
      return session;
    }
    // Assigned below; the files' write hook needs the session it belongs to.
    let session: Session;
    const files = new YjsWorkspaceFiles(this.disk, this.workspace, id, (abs, result, before) => this.published(session, abs, result, before));
    const ask = this.options.ask?.(id);
    if (!this.options.tools) throw new Error("inline sessions need the manager's `tools`");
    const build = this.options.mcpTools;
    session = new Session(
      {
        client,
        tools: this.options.tools,
        files,
        bus,
        ...(build ? { mcpTools: () => build(this.mcp.forSession(id)) } : {}),
        ...(log ? { log } : {}),
        ...(this.options.intel ? { intel: this.options.intel } : {}),
        ...(ask ? { ask } : {}),
        ...(runCommand ? { runCommand } : {}),
        contextWindow: (m) => client.contextWindow?.(m),
      },
      meta,
    );
    this.sessions.set(id, session);
    return session;
  }

  /** A session's write, as its `edit` update: once it is in the file (a change under review is not, yet). */
  private published(session: AnySession, abs: string, result: WriteResult, before: string | undefined): void {
    if (result.pending !== undefined) return;
    session.publish({ kind: "edit", uri: this.workspace.uriOf(abs), edits: toTextEdits(before ?? "", result.splices) });
  }

  /** The model, if it can be used now; else a clear error. */
  private usableModel(model: string | undefined): string {
    if (!model) throw new Error(`no model chosen. ${this.options.client.setupHint?.() ?? ""}`.trim());
    const problem = this.options.client.checkModel?.(model);
    if (problem) throw new Error(problem);
    return model;
  }

  /** Switches a session's model; its next turn uses it. */
  setModel(id: string, model: string): void {
    this.require(id).model = this.usableModel(model);
  }

  get(id: string): AnySession | undefined {
    return this.sessions.get(id);
  }

  /** Like get, but a clear error for an unknown id. */
  require(id: string): AnySession {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`no session ${id}`);
    return session;
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => ({
      sessionId: s.id,
      title: s.title,
      model: s.model,
      createdAt: s.createdAt.toISOString(),
      messages: s.messageCount,
    }));
  }

  /** Undoes this session's edits only (here and, when shared, on the other machines). Returns how many files changed. */
  async revert(id: string): Promise<number> {
    this.require(id);
    const here = await this.workspace.revert(id);
    this.options.bus.publish({ type: "session.reverted", sessionId: id, files: here });
    return here + ((await this.observer?.reverted?.(id)) ?? 0);
  }

  /** Cancels and erases a session: transcript, undo history, read bases. */
  end(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    session.cancel();
    session.erase();
    this.store?.remove(id);
    this.workspace.endSession(id);
    this.sessions.delete(id);
    void this.mcp.endSession(id);
    this.observer?.ended?.(id);
    return true;
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * Shutdown: every session is cancelled and dropped from memory; kept files (retention local) stay.
   * Resolves once the MCP servers are stopped.
   */
  dispose(): Promise<void> {
    for (const session of this.sessions.values()) {
      session.cancel();
      session.erase();
      this.workspace.endSession(session.id);
    }
    this.sessions.clear();
    this.workspace.destroy();
    this.unsubscribe();
    return this.mcp.close();
  }
}

/** A session's change as LSP TextEdits against the text it replaced (for its `edit` update). */
function toTextEdits(before: string, splices: Splice[]): TextEdit[] {
  const doc = TextDocument.create("file:///x", "plaintext", 0, before);
  return splicesToEdits(splices, (offset) => doc.positionAt(offset));
}

// The session manager: creates, lists, finds, reverts and ends sessions over one workspace doc.
// Every front (LSP, ACP, headless run) goes through it.
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Bus } from "../bus/bus.ts";
import type { TextEdit } from "./editor-replica.ts";
import type { Logger } from "../log.ts";
import type { ModelClient } from "../agent/model-client.ts";
import type { AskPermission, LanguageIntel } from "../tools/types.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import { DiskWorkspaceFiles } from "../tools/workspace-files.ts";
import type { Config } from "../config/index.ts";
import { Session } from "./session.ts";
import { WorkerSession, type WorkerLimits } from "./worker-session.ts";
import { Workspace, type WriteFile } from "./workspace.ts";
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
}

export interface SessionInfo {
  sessionId: string;
  title: string;
  model: string;
  createdAt: string;
  messages: number;
}

export class SessionManager {
  readonly workspace: Workspace;
  private readonly sessions = new Map<string, AnySession>();
  private readonly disk: DiskWorkspaceFiles;
  private readonly options: SessionManagerOptions;

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
      ...(options.log ? { log: options.log } : {}),
    });
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

  create(options: { model?: string; title?: string } = {}, stored?: StoredSession): AnySession {
    const session = this.build(options, stored?.id);
    if (stored) {
      session.createdAt = new Date(stored.createdAt);
      session.seed(stored.messages, stored.updates);
    }
    return session;
  }

  private build(options: { model?: string; title?: string }, restoredId?: string): AnySession {
    const model = options.model ?? this.options.config().model;
    if (!model) throw new Error(`no model chosen. ${this.options.client.setupHint?.() ?? ""}`.trim());
    const problem = this.options.client.checkModel?.(model);
    if (problem) throw new Error(problem);
    const { bus, log, client } = this.options;
    const id = restoredId ?? crypto.randomUUID();
    if (this.options.isolation === "worker") {
      const ask = this.options.ask?.(id);
      const session = new WorkerSession(
        {
          root: this.options.root,
          bus,
          workspace: this.workspace,
          config: this.options.config,
          ...(ask ? { ask } : {}),
          ...(log ? { log } : {}),
          ...(this.options.limits ? { limits: this.options.limits } : {}),
          ...(this.options.intel ? { intel: this.options.intel } : {}),
          onWrite: (s, abs, result, before) => s.publish({ kind: "edit", uri: this.workspace.uriOf(abs), edits: toTextEdits(before ?? "", result.splices) }),
        },
        { id, model, ...(options.title ? { title: options.title } : {}) },
      );
      this.sessions.set(id, session);
      return session;
    }
    // Assigned below; the files' write hook needs the session it belongs to.
    let session: Session;
    const files = new YjsWorkspaceFiles(this.disk, this.workspace, id, (abs, result, before) => {
      session.publish({ kind: "edit", uri: this.workspace.uriOf(abs), edits: toTextEdits(before ?? "", result.splices) });
    });
    const ask = this.options.ask?.(id);
    if (!this.options.tools) throw new Error("inline sessions need the manager's `tools`");
    session = new Session(
      { client, tools: this.options.tools, files, bus, ...(log ? { log } : {}), ...(this.options.intel ? { intel: this.options.intel } : {}), ...(ask ? { ask } : {}), contextWindow: (m) => client.contextWindow?.(m) },
      { id, model, ...(options.title ? { title: options.title } : {}) },
    );
    this.sessions.set(id, session);
    return session;
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

  /** Undoes this session's edits only. Returns how many files changed. */
  revert(id: string): Promise<number> {
    this.require(id);
    return this.workspace.revert(id);
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
    return true;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Shutdown: every session is cancelled and dropped from memory; kept files (retention local) stay. */
  dispose(): void {
    for (const session of this.sessions.values()) {
      session.cancel();
      session.erase();
      this.workspace.endSession(session.id);
    }
    this.sessions.clear();
    this.workspace.destroy();
  }
}

/** A session's change as LSP TextEdits against the text it replaced (for its `edit` update). */
function toTextEdits(before: string, splices: Splice[]): TextEdit[] {
  const doc = TextDocument.create("file:///x", "plaintext", 0, before);
  return splicesToEdits(splices, (offset) => doc.positionAt(offset));
}

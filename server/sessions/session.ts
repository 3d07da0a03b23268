// A session: one conversation with the agent, driven the same way by every front (headless run,
// LSP, ACP). It owns the transcript and the tools' per-session state, runs one turn at a time, and
// publishes each step on the bus as a `session.update`.
//
// The session's own Y.Doc holds its metadata and transcript (kept in step with the loop's message
// list after each turn); its updates are kept so a client can replay the session (`load`).
import { randomUUID } from "node:crypto";
import * as Y from "yjs";
import type { Bus } from "../bus/bus.ts";
import type { SessionUpdate } from "../bus/events.ts";
import { keepForReplay } from "./replay.ts";
import type { Logger } from "../log.ts";
import type { Message } from "../providers/types.ts";
import type { McpTurnTools } from "../tools/mcp-tools.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import { ToolSession, type AskPermission, type LanguageIntel, type RunCommand } from "../tools/types.ts";
import type { WorkspaceFiles } from "../tools/workspace-files.ts";
import type { ModelClient } from "../agent/model-client.ts";
import { buildSystemPrompt } from "../agent/system-prompt.ts";
import { runTurn, type TurnResult } from "../agent/turn.ts";

export interface SessionDeps {
  client: ModelClient;
  tools: ToolRegistry;
  files: WorkspaceFiles;
  bus: Bus;
  log?: Logger;
  /** Asks the user about a tool call; absent means every `ask` is a rejection. */
  ask?: AskPermission;
  /** Looks up the model's context window, for compaction. */
  contextWindow?: (model: string) => number | undefined;
  /** The proxied language servers, for the LSP tools and diagnostics after edits. */
  intel?: LanguageIntel;
  /**
   * The session's MCP tools for a turn (tools/mcp-tools.ts: `() => mcpTools(access)`), joined to the
   * built-in ones. A function, so the LSP front's main thread, which never runs a turn, never loads them.
   */
  mcpTools?: () => Promise<McpTurnTools>;
  /** Runs bash's commands when the front runs them itself (an ACP client's terminal). */
  runCommand?: RunCommand;
}

export interface SessionOptions {
  model: string;
  title?: string;
  id?: string;
}

export interface PromptOptions {
  context?: string[];
  maxSteps?: number;
  temperature?: number;
}

export class Session {
  readonly id: string;
  createdAt = new Date();
  model: string;
  title: string;
  readonly messages: Message[] = [];
  /** Metadata (`meta`) and transcript (`transcript`): the session as a Yjs document. */
  readonly doc = new Y.Doc();
  /** Every update published, in order, for replay. */
  readonly updates: SessionUpdate[] = [];
  private readonly toolSession: ToolSession;
  private readonly deps: SessionDeps;
  private running: AbortController | undefined;

  constructor(deps: SessionDeps, options: SessionOptions) {
    this.deps = deps;
    this.id = options.id ?? randomUUID();
    this.model = options.model;
    this.title = options.title ?? "New session";
    this.toolSession = new ToolSession(this.id);
    this.doc.getMap("meta").set("title", this.title);
    this.doc.getMap("meta").set("model", this.model);
    this.doc.getMap("meta").set("createdAt", this.createdAt.toISOString());
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs one turn. One at a time: a prompt while a turn runs is an error. */
  async prompt(text: string, options: PromptOptions = {}): Promise<TurnResult> {
    if (this.running) throw new Error(`session ${this.id} is already running a turn`);
    const controller = new AbortController();
    this.running = controller;
    const { deps } = this;
    let result: TurnResult | undefined;
    try {
      const mcp = await this.mcpTools();
      return (result = await runTurn({
        model: this.model,
        client: deps.client,
        tools: mcp.tools.length > 0 ? deps.tools.withTools(mcp.tools) : deps.tools,
        toolContext: {
          root: deps.files.root,
          files: deps.files,
          session: this.toolSession,
          ...(deps.ask ? { ask: deps.ask } : {}),
          ...(deps.log ? { logger: deps.log } : {}),
          ...(deps.intel ? { intel: deps.intel } : {}),
          ...(deps.runCommand ? { runCommand: deps.runCommand } : {}),
        },
        messages: this.messages,
        prompt: text,
        system: await buildSystemPrompt({ root: deps.files.root, unavailableMcp: mcp.unavailable }),
        signal: controller.signal,
        emit: (update: SessionUpdate) => this.publish(update),
        ...(options.context ? { context: options.context } : {}),
        ...(options.maxSteps ? { maxSteps: options.maxSteps } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(deps.contextWindow?.(this.model) ? { contextWindow: deps.contextWindow(this.model)! } : {}),
        ...(deps.log ? { log: deps.log } : {}),
      }));
    } finally {
      this.running = undefined;
      this.syncTranscript();
      publishTurnEnded(deps.bus, this.id, result);
    }
  }

  /** This turn's MCP tools (servers start on the first turn); a fault leaves the turn without them. */
  private async mcpTools(): Promise<McpTurnTools> {
    if (!this.deps.mcpTools) return { tools: [], unavailable: [] };
    try {
      return await this.deps.mcpTools();
    } catch (error) {
      this.deps.log?.warn({ err: error }, "MCP tools could not be listed");
      return { tools: [], unavailable: [] };
    }
  }

  /** Publishes one update on the bus and keeps it for replay. */
  publish(update: SessionUpdate): void {
    keepForReplay(this.updates, update);
    this.deps.bus.publish({ type: "session.update", sessionId: this.id, update });
  }

  private syncTranscript(): void {
    writeTranscript(this.doc.getArray<Message>("transcript"), this.messages);
  }

  get messageCount(): number {
    return this.messages.length;
  }

  /** The transcript as another machine left it (a shared session's turn ran there). */
  replaceMessages(messages: Message[]): void {
    this.messages.splice(0, this.messages.length, ...messages);
  }

  /** Adds to the transcript (restore, import). */
  seed(messages: Message[], updates: SessionUpdate[] = []): void {
    this.messages.push(...messages);
    this.updates.push(...updates);
  }

  /** Drops everything the session holds (retention none: nothing of it stays in memory). */
  erase(): void {
    this.messages.length = 0;
    this.updates.length = 0;
    this.toolSession.todos = [];
    this.doc.destroy();
  }

  /** Cancels the running turn (the model stream and the running tool); a no-op when idle. */
  cancel(): void {
    this.running?.abort();
  }
}

/** Brings a transcript array up to `messages`: the new ones appended, all replaced after a compaction. */
export function writeTranscript(transcript: Y.Array<Message>, messages: Message[]): void {
  const write = () => {
    if (transcript.length > messages.length) transcript.delete(0, transcript.length); // compacted
    transcript.push(messages.slice(transcript.length).map((m) => structuredClone(m)));
  };
  if (transcript.doc) transcript.doc.transact(write);
  else write();
}

/** The end of a turn, for whoever counts them (telemetry); a turn that threw ended in an error. */
export function publishTurnEnded(bus: Bus, sessionId: string, result: TurnResult | undefined): void {
  const stopReason = result?.stopReason ?? "error";
  bus.publish({ type: "session.turn_ended", sessionId, stopReason, ...(stopReason === "error" ? { errorKind: result?.errorKind ?? "exception" } : {}) });
}

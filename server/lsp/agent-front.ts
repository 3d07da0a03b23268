// The agent in the editor: code actions, `workspace/executeCommand` commands and the custom
// `opencode/*` protocol, with work-done progress per turn, permission requests to the user and the
// session update stream. The agent itself (providers, sessions, tools) loads on first use.
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod/mini";
import {
  ErrorCodes,
  MessageType,
  ResponseError,
  type CancellationToken,
  type ClientCapabilities,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
} from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import type { SessionUpdate } from "../bus/events.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../log.ts";
import type { AnySession as Session } from "../sessions/manager.ts";
import type { ProxyManager } from "../proxy/manager.ts";
import type { AgentRuntime } from "./agent-runtime.ts";
import { actionPrompt, actionTitle, isActionData, listCodeActions, RUN_ACTION_COMMAND, type ActionData } from "./code-actions.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { EditorDocuments } from "./documents.ts";
import { range } from "./params.ts";
import { REVIEW_COMMANDS, ReviewFront } from "./review-front.ts";
import { SessionExports } from "./session-exports.ts";
import { askInEditor } from "./permission-prompt.ts";

export const COMMANDS = [
  "opencode.ask",
  "opencode.session.new",
  "opencode.session.list",
  "opencode.session.cancel",
  "opencode.session.revert",
  "opencode.session.end",
  "opencode.session.open",
  "opencode.session.share",
  "opencode.session.import",
  "opencode.model.select",
  "opencode.mcp.list",
  ...REVIEW_COMMANDS,
  RUN_ACTION_COMMAND,
] as const;

const sessionId = z.object({ sessionId: z.string() });
const newSession = z.optional(z.object({ model: z.optional(z.string()), title: z.optional(z.string()) }));
const askArgs = z.object({ prompt: z.string().check(z.minLength(1)), uri: z.optional(z.string()), range: z.optional(range), sessionId: z.optional(z.string()) });
const promptParams = z.object({
  sessionId: z.string(),
  prompt: z.string().check(z.minLength(1)),
  context: z.optional(z.array(z.object({ uri: z.string(), range: z.optional(range) }))),
});
const importArgs = z.object({ url: z.string().check(z.minLength(1)) });
const modelArgs = z.object({ model: z.string().check(z.regex(/^[^/\s]+\/\S+$/, 'expected "provider/model"')) });
const executeParams = z.object({ command: z.string(), arguments: z.optional(z.array(z.unknown())) });

export interface AgentFrontOptions {
  connection: Connection;
  dispatcher: Dispatcher;
  bus: Bus;
  log: Logger;
  documents: EditorDocuments;
  config: () => Config;
  root: () => string | undefined;
  capabilities: () => ClientCapabilities;
  /** initializationOptions.capabilities: what a rich client announced. */
  clientFeatures: () => { permissionRequests?: boolean; sessionUpdates?: boolean; review?: boolean };
  /** Replaces what `source` says about a document (merged with the proxied servers' diagnostics). */
  diagnostics: (source: string, uri: string, diagnostics: Diagnostic[]) => void;
  /** The proxied servers, for the agent's language tools. */
  proxies: () => ProxyManager | undefined;
  /** The proxies' answer for requests we share (code actions, commands they own). */
  proxied: (method: string, params: unknown, token: CancellationToken) => Promise<unknown> | undefined;
}

export class AgentFront {
  private runtimePromise: Promise<AgentRuntime> | undefined;
  private runtime: AgentRuntime | undefined;
  /** The client spoke the custom protocol (or announced it): stream session updates to it. */
  private streaming = false;
  private modelOverride: string | undefined;
  private readonly exports: SessionExports;
  private readonly options: AgentFrontOptions;
  private readonly review: ReviewFront;

  constructor(options: AgentFrontOptions) {
    this.options = options;
    const { dispatcher, bus, connection } = options;
    this.review = new ReviewFront({ bus, diagnostics: options.diagnostics });
    this.exports = new SessionExports({ connection, config: options.config, capabilities: options.capabilities, show: (type, message) => this.show(type, message) });

    bus.on("session.update", (e) => {
      if (!this.streaming && !options.clientFeatures().sessionUpdates) return;
      connection.sendNotification("opencode/session/update", { sessionId: e.sessionId, update: e.update }).catch(() => undefined);
    });

    dispatcher.request("textDocument/codeAction", z.looseObject({ textDocument: z.object({ uri: z.string() }), range, context: z.looseObject({ diagnostics: z.array(z.looseObject({ range })), only: z.optional(z.array(z.string())) }) }), (params, token) =>
      this.codeActions(params as unknown as CodeActionParams, token),
    );
    dispatcher.request("codeAction/resolve", z.looseObject({ title: z.string() }), (action, token) => this.resolveAction(action as CodeAction, token));
    dispatcher.request("workspace/executeCommand", executeParams, (params, token) => this.execute(params.command, params.arguments ?? [], token));

    const custom = <S extends z.core.$ZodType, R>(method: string, schema: S, handler: (params: z.output<S>, token: CancellationToken) => Promise<R> | R) =>
      dispatcher.request(method, schema, (params, token) => {
        this.streaming = true;
        return handler(params, token);
      });
    custom("opencode/session/new", newSession, async (p) => ({ sessionId: (await this.newSession(p ?? {})).id }));
    custom("opencode/session/prompt", promptParams, async (p, token) => {
      const session = await this.session(p.sessionId);
      const result = await this.runTurn(session, p.prompt, await this.contextOf(p.context ?? []), token);
      return { stopReason: result.stopReason, ...(result.error ? { error: result.error } : {}) };
    });
    custom("opencode/session/list", z.optional(z.unknown()), async () => (await this.rt()).sessions.list());
    custom("opencode/session/load", sessionId, async (p) => {
      const session = await this.session(p.sessionId);
      for (const update of session.updates) await connection.sendNotification("opencode/session/update", { sessionId: session.id, update });
      // What waits for review is state, not history: the client gets it as it is now.
      const pending = this.review.pendingUpdate(session.id);
      if (pending) await connection.sendNotification("opencode/session/update", { sessionId: session.id, update: pending });
      return { sessionId: session.id, title: session.title, model: session.model, messages: session.messageCount };
    });
    custom("opencode/session/end", sessionId, async (p) => ({ ended: await this.endSession(p.sessionId) }));
    custom("opencode/models", z.optional(z.unknown()), async () => (await this.rt()).client.listModels({ probe: true }));
    connection.onNotification("opencode/session/cancel", (params: unknown) => {
      const parsed = z.safeParse(sessionId, params);
      if (parsed.success) this.runtime?.sessions.get(parsed.data.sessionId)?.cancel();
    });
  }

  /** What this front adds to the initialize result. */
  static capabilities() {
    return {
      codeActionProvider: { codeActionKinds: ["quickfix", "refactor.rewrite"], resolveProvider: true },
      executeCommandProvider: { commands: [...COMMANDS] },
    };
  }

  /** The model client (loads the agent runtime on first use). */
  async modelClient() {
    return (await this.rt()).client;
  }

  health(): unknown {
    return { loaded: Boolean(this.runtime), sessions: this.runtime?.sessions.size ?? 0, providers: this.runtime?.client.stats(), mcp: this.runtime?.sessions.mcp.status() ?? [] };
  }

  /** `sync` in opencode/health: the link to the other machines, when configured. */
  syncHealth(): unknown {
    if (!this.options.config().sync) return { enabled: false };
    return { enabled: true, ...(this.runtime?.sync()?.health() ?? { state: "starting" }) };
  }

  /** With `sync` configured the agent loads at once, so this machine joins the room's sessions. */
  joinSharedSessions(): void {
    if (this.options.config().sync && this.options.root()) this.rt().catch((error: unknown) => this.options.log.warn({ err: error }, "sync: the agent could not start"));
  }

  /** Resolves once the agent's MCP servers are stopped. */
  async dispose(): Promise<void> {
    this.exports.dispose();
    await this.runtime?.dispose();
  }

  // The runtime ------------------------------------------------------------------------------

  private rt(): Promise<AgentRuntime> {
    this.runtimePromise ??= (async () => {
      const root = this.options.root();
      if (!root) throw new ResponseError(ErrorCodes.InvalidRequest, "OpenCode needs a workspace folder (rootUri or workspaceFolders)");
      const { createAgentRuntime } = await import("./agent-runtime.ts");
      const runtime = createAgentRuntime({
        connection: this.options.connection,
        bus: this.options.bus,
        log: this.options.log,
        root,
        config: this.options.config,
        capabilities: this.options.capabilities(),
        documents: this.options.documents,
        ask: (id) => askInEditor({ connection: this.options.connection, customRequests: () => Boolean(this.options.clientFeatures().permissionRequests), show: (type, message) => this.show(type, message) }, id),
        proxies: this.options.proxies,
        editorShowsReview: Boolean(this.options.clientFeatures().review),
      });
      await runtime.ready;
      this.review.attach(runtime.sessions.workspace.review);
      this.runtime = runtime;
      return runtime;
    })();
    return this.runtimePromise;
  }

  private async newSession(options: { model?: string; title?: string }): Promise<Session> {
    const runtime = await this.rt();
    try {
      return runtime.sessions.create({ ...options, ...(options.model ?? this.modelOverride ? { model: options.model ?? this.modelOverride } : {}) });
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidRequest, `OpenCode: ${(error as Error).message}`);
    }
  }

  private async session(id: string): Promise<Session> {
    const session = (await this.rt()).sessions.get(id);
    if (!session) throw new ResponseError(ErrorCodes.InvalidParams, `no session ${id}`);
    return session;
  }

  // Turns ------------------------------------------------------------------------------------

  /** One turn with work-done progress; cancelled by $/cancelRequest or by cancelling the progress. */
  private async runTurn(session: Session, prompt: string, context: string[], token?: CancellationToken) {
    const { connection, bus } = this.options;
    const progress = this.options.capabilities().window?.workDoneProgress ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin(session.title, undefined, "thinking…", true);
    const cancels = [progress?.token.onCancellationRequested(() => session.cancel()), token?.onCancellationRequested(() => session.cancel())];
    let text = "";
    let tokens = 0;
    const stop = bus.on("session.update", (e) => {
      if (e.sessionId !== session.id) return;
      const u = e.update;
      if (u.kind === "message_chunk") text += u.text;
      if (u.kind === "usage") tokens += u.inputTokens + u.outputTokens;
      const line = progressLine(u, tokens);
      if (line) progress?.report(line);
    });
    try {
      const result = await (await this.rt()).sessions.prompt(session, prompt, { context });
      progress?.report(result.stopReason === "end_turn" ? `done · ${tokens} tokens` : `${result.stopReason}${result.error ? `: ${result.error}` : ""}`);
      return { ...result, text };
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidRequest, `OpenCode: ${(error as Error).message}`);
    } finally {
      stop();
      for (const c of cancels) c?.dispose();
      progress?.done();
      this.runtime?.sessions.persist(session);
    }
  }

  private async contextOf(items: { uri: string; range?: { start: { line: number }; end: { line: number } } }[]): Promise<string[]> {
    return items.map(({ uri, range }) => {
      const text = this.options.documents.snapshot(uri)?.text ?? "";
      const lines = text.split(/\r?\n/);
      const from = range?.start.line ?? 0;
      const to = range ? range.end.line + 1 : lines.length;
      return `${this.pathOf(uri)} lines ${from + 1}-${to}:\n${lines.slice(from, to).join("\n")}`;
    });
  }

  private pathOf(uri: string): string {
    const root = this.options.root();
    if (!uri.startsWith("file:")) return uri;
    const abs = fileURLToPath(uri);
    return root ? relative(root, abs) : abs;
  }

  // Code actions -----------------------------------------------------------------------------

  private async codeActions(params: CodeActionParams, token: CancellationToken): Promise<unknown[]> {
    const doc = this.options.documents.store.get(params.textDocument.uri);
    const ours = doc ? listCodeActions(params, (line) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } })) : [];
    const theirs = await this.options.proxied("textDocument/codeAction", params, token);
    return [...this.review.codeActions(params), ...(Array.isArray(theirs) ? theirs : []), ...ours];
  }

  /**
   * Ours resolve at once, as they are: the agent runs through the action's command, never inside
   * the resolve — editors that wait for a resolve on their UI thread (Helix) could not answer the
   * agent's workspace/applyEdit requests meanwhile.
   */
  private async resolveAction(action: CodeAction, token: CancellationToken): Promise<unknown> {
    if (isActionData(action.data) || isReviewCommand(action.command?.command)) return action;
    return (await this.options.proxied("codeAction/resolve", action, token)) ?? action;
  }

  private async runAction(data: ActionData, token?: CancellationToken): Promise<{ sessionId: string; text: string }> {
    const doc = this.options.documents.snapshot(data.uri);
    if (!doc) throw new ResponseError(ErrorCodes.InvalidParams, `OpenCode: ${data.uri} is not open`);
    const session = await this.newSession({ title: actionTitle(data.opencode) });
    const path = this.pathOf(data.uri);
    if (data.opencode === "instruction") await this.removeLine(session, data.uri, data.range.start.line);
    const { prompt, context } = actionPrompt(data, path, doc.text);
    const result = await this.runTurn(session, prompt, context, token);
    if (result.stopReason === "error") this.show(MessageType.Error, `OpenCode: ${result.error}`);
    else if (data.opencode === "explain" && result.text) this.show(MessageType.Info, result.text);
    return { sessionId: session.id, text: result.text };
  }

  /** The instruction comment goes, as the session's own edit (so revert brings it back). */
  private async removeLine(session: Session, uri: string, line: number): Promise<void> {
    const runtime = await this.rt();
    const abs = fileURLToPath(uri);
    const text = runtime.sessions.workspace.textOf(abs) ?? this.options.documents.snapshot(uri)?.text ?? "";
    const lines = text.split("\n");
    lines.splice(line, 1);
    await runtime.sessions.workspace.read(abs, session.id, true);
    await runtime.sessions.workspace.write(abs, lines.join("\n"), session.id);
  }

  // Commands ---------------------------------------------------------------------------------

  private async execute(command: string, args: unknown[], token: CancellationToken): Promise<unknown> {
    const arg = args[0];
    const v = <S extends z.core.$ZodType>(schema: S) => this.options.dispatcher.validate(command, schema, arg);
    switch (command) {
      case "opencode.ask": {
        const p = v(askArgs);
        const session = p.sessionId ? await this.session(p.sessionId) : await this.newSession({ title: p.prompt.slice(0, 60) });
        const context = p.uri ? await this.contextOf([{ uri: p.uri, ...(p.range ? { range: p.range } : {}) }]) : [];
        const result = await this.runTurn(session, p.prompt, context, token);
        if (result.stopReason === "error") throw new ResponseError(ErrorCodes.InternalError, `OpenCode: ${result.error}`);
        return { sessionId: session.id, text: result.text };
      }
      case "opencode.session.new":
        return { sessionId: (await this.newSession(v(newSession) ?? {})).id };
      case "opencode.session.list":
        return (await this.rt()).sessions.list();
      case "opencode.session.cancel":
        (await this.session(v(sessionId).sessionId)).cancel();
        return null;
      case "opencode.session.revert": {
        const { id } = await this.session(v(sessionId).sessionId);
        const files = await (await this.rt()).sessions.revert(id);
        return { reverted: files };
      }
      case "opencode.session.end":
        await this.endSession(v(sessionId).sessionId);
        return null;
      case "opencode.session.open":
        return this.exports.openTranscript(await this.session(v(sessionId).sessionId));
      case "opencode.session.share":
        return this.exports.share(await this.session(v(sessionId).sessionId));
      case "opencode.session.import":
        return { sessionId: (await this.exports.importLink(v(importArgs).url, (o) => this.newSession(o))).id };
      case "opencode.model.select": {
        if (arg === undefined || arg === null) return this.lastRanking();
        const { model } = v(modelArgs);
        const problem = (await this.rt()).client.checkModel(model);
        if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `OpenCode: ${problem}`);
        this.modelOverride = model;
        return null;
      }
      case "opencode.mcp.list":
        return (await this.rt()).sessions.mcp.list(v(z.optional(z.object({ sessionId: z.optional(z.string()) })))?.sessionId);
      case "opencode.review.list":
      case "opencode.review.accept":
      case "opencode.review.reject": {
        const args = v(ReviewFront.args);
        await this.rt();
        return this.review.execute(command, args);
      }
      case RUN_ACTION_COMMAND: {
        if (!isActionData(arg)) throw new ResponseError(ErrorCodes.InvalidParams, `${command}: expected a code action's data`);
        return this.runAction(arg, token);
      }
      default: {
        const theirs = this.options.proxied("workspace/executeCommand", { command, arguments: args }, token);
        if (!theirs) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${command}`);
        return theirs;
      }
    }
  }

  /** `opencode.model.select` without arguments: the last saved `opencode-lsp bench` ranking of this workspace, best first. */
  private async lastRanking(): Promise<unknown> {
    const { lastRanking } = await import("../bench/saved.ts");
    return { ...lastRanking(this.options.root()), current: this.modelOverride ?? this.options.config().model ?? null };
  }

  /** Ends a session: it is erased, and so is the transcript file `open` may have written. */
  private async endSession(id: string): Promise<boolean> {
    this.exports.ended(id);
    return (await this.rt()).sessions.end(id);
  }

  private show(type: MessageType, message: string): void {
    this.options.connection.sendNotification("window/showMessage", { type, message: message.length > 4000 ? `${message.slice(0, 4000)}…` : message }).catch(() => undefined);
  }
}

function isReviewCommand(command: string | undefined): boolean {
  return (REVIEW_COMMANDS as readonly (string | undefined)[]).includes(command);
}

function progressLine(update: SessionUpdate, tokens: number): string | undefined {
  if (update.kind === "tool_call") return `${update.title} · ${tokens} tokens`;
  if (update.kind === "usage") return `${tokens} tokens`;
  return undefined;
}

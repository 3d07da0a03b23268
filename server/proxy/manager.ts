// The proxy manager: the real language servers configured under `proxy`, fronted as one. It starts
// the servers for the workspace, keeps them in sync with the editor's documents (and the agent's),
// and answers the editor through them: requests one server owns pass through as bytes
// (passthrough.ts), the rest are routed and merged (router.ts); what the servers ask of the editor
// is relayed (relay.ts), their diagnostics merged.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CancellationToken } from "vscode-jsonrpc/node";
import type { InitializeParams, ServerCapabilities, TextDocumentContentChangeEvent } from "vscode-languageserver-protocol";
import type { ProxyConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { AgentDocuments, type AgentDocumentSync } from "./agent-documents.ts";
import { ProxiedServer, type ChildHost, type OpenDocument } from "./child.ts";
import { DiagnosticsMerger } from "./diagnostics.ts";
import { Passthrough, type EditorRequest } from "./passthrough.ts";
import { Relay } from "./relay.ts";
import { Router } from "./router.ts";
import type { EditorChannel, ProxyEvent } from "./types.ts";

export type { AgentDocumentSync } from "./agent-documents.ts";
export { MAX_AGENT_DOCUMENTS } from "./agent-documents.ts";
export type { EditorChannel, ProxyEvent } from "./types.ts";

export interface ProxyManagerOptions {
  entries: Record<string, ProxyConfig>;
  root: string | undefined;
  initializeParams: InitializeParams;
  editor: EditorChannel;
  openDocuments(): OpenDocument[];
  notice(level: "error" | "warning" | "info", message: string): void;
  log: Logger;
}

export interface ProxyHealth {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
}

export class ProxyManager {
  readonly servers: ProxiedServer[];
  readonly diagnostics: DiagnosticsMerger;
  private readonly options: ProxyManagerOptions;
  private readonly onProcessExit = () => this.killAll();
  private readonly agentDocs: AgentDocuments;
  private readonly router: Router;
  private readonly passthrough: Passthrough | undefined;
  private readonly listeners = new Set<(event: ProxyEvent) => void>();

  constructor(options: ProxyManagerOptions) {
    this.options = options;
    const { editor, log } = options;
    this.diagnostics = new DiagnosticsMerger((uri, diagnostics, version) =>
      editor.notify("textDocument/publishDiagnostics", { uri, diagnostics, ...(version !== undefined ? { version } : {}) }),
    );
    const relay = new Relay({ initializeParams: options.initializeParams, editor, diagnostics: this.diagnostics, emit: (e) => this.emit(e), log });
    this.passthrough = editor.frame ? new Passthrough(editor.frame.bind(editor), log) : undefined;
    const host: ChildHost = {
      root: options.root,
      initializeParams: options.initializeParams,
      // A restarted server is re-synced with the editor's documents and the agent's.
      openDocuments: () => [...options.openDocuments(), ...this.agentDocs.values()],
      onServerRequest: (child, method, params) => relay.request(child, method, params),
      onServerNotification: (child, method, params) => relay.notification(child, method, params),
      onDown: (child) => {
        this.passthrough?.serverDown(child);
        this.diagnostics.clearSource(child.name);
        this.emit({ type: "down", server: child.name });
      },
      onStateChange: () => this.router?.invalidate(),
      onFrame: (child, buf, start, end) => this.passthrough?.take(child, buf, start, end) ?? false,
      notice: options.notice,
      log,
    };
    this.servers = Object.entries(options.entries)
      .filter(([, entry]) => this.rootMatches(entry))
      .map(([name, entry]) => new ProxiedServer(name, entry, host));
    this.router = new Router(this.servers, log);
    this.agentDocs = new AgentDocuments(this.servers, (e) => this.emit(e));
    // The editor going away must not leave children behind.
    process.on("exit", this.onProcessExit);
  }

  get root(): string | undefined {
    return this.options.root;
  }

  get entries(): Record<string, ProxyConfig> {
    return this.options.entries;
  }

  /** Follows document changes and diagnostics (for the agent's waits); returns the unsubscribe. */
  subscribe(listener: (event: ProxyEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ProxyEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log.warn({ err: error }, "proxy event listener failed");
      }
    }
  }

  /** Starts every server for this workspace; a server that fails to start is reported once, not fatal. */
  async start(): Promise<void> {
    await Promise.all(this.servers.map((server) => this.startOne(server)));
  }

  private async startOne(server: ProxiedServer): Promise<void> {
    if (server.state === "running") return;
    try {
      await server.start(); // bounded: a server that does not answer initialize in time is stopped
    } catch (error) {
      if (server.state === "stopped") return; // shut down while it started: nothing to tell
      this.options.log.warn({ proxy: server.name, err: error }, "proxied server did not start");
      this.options.notice(server.state === "failed" ? "error" : "warning", (error as Error).message);
    }
  }

  /** The capabilities of every server that started, for the initialize result. */
  capabilities(): ServerCapabilities[] {
    return this.servers.filter((s) => s.state === "running").map((s) => s.capabilities);
  }

  private rootMatches(entry: ProxyConfig): boolean {
    const root = this.options.root;
    if (!entry.rootMarkers?.length || !root) return true;
    return entry.rootMarkers.some((marker) => existsSync(join(root, marker)));
  }

  // Document sync -----------------------------------------------------------------------------

  didOpen(doc: OpenDocument): void {
    // The editor takes over a document the agent had opened: the servers see it closed, then opened anew.
    this.agentDocs.yieldToEditor(doc.uri);
    for (const server of this.servers) if (server.handles(doc.languageId)) server.didOpen(doc);
    this.emit({ type: "changed", uri: doc.uri, version: doc.version, opened: true });
  }

  didChange(doc: OpenDocument, changes: TextDocumentContentChangeEvent[]): void {
    for (const server of this.servers) server.didChange(doc, changes);
    this.emit({ type: "changed", uri: doc.uri, version: doc.version, opened: false });
  }

  didClose(uri: string): void {
    for (const server of this.servers) server.didClose(uri);
  }

  didSave(uri: string, text: string | undefined): void {
    for (const server of this.servers) server.didSave(uri, text);
  }

  /** Notifications every server gets (didChangeWatchedFiles, didChangeWorkspaceFolders). */
  broadcast(method: string, params: unknown): void {
    for (const server of this.servers) server.notify(method, params);
  }

  // Documents on the agent's behalf -------------------------------------------------------------

  /** The editor's open document with this uri, if any. */
  editorDocument(uri: string): OpenDocument | undefined {
    return this.options.openDocuments().find((d) => d.uri === uri);
  }

  /** The editor's open documents. */
  editorDocuments(): OpenDocument[] {
    return this.options.openDocuments();
  }

  /** Servers meant for this languageId that have not failed or stopped (running or not yet started). */
  serversFor(languageId: string): ProxiedServer[] {
    return this.servers.filter((s) => s.handles(languageId) && s.state !== "failed" && s.state !== "stopped");
  }

  /** Starts (lazily, in the headless mode) the servers for a languageId; the ones running after. */
  async startFor(languageId: string): Promise<ProxiedServer[]> {
    const servers = this.serversFor(languageId);
    await Promise.all(servers.map((s) => this.startOne(s)));
    return servers.filter((s) => s.state === "running");
  }

  /**
   * Makes the servers see `text` for a document the agent works on. A document the editor has open
   * is the editor's: nothing is sent (the agent's edits reach it through the editor and come back as
   * didChange), the caller gets the editor's version. Otherwise the agent opens it (didOpen), or
   * sends the new text (didChange, full text) when it changed; unchanged text sends nothing.
   */
  async syncAgentDocument(uri: string, languageId: string, text: string): Promise<AgentDocumentSync> {
    const servers = await this.startFor(languageId);
    const editor = this.editorDocument(uri);
    if (editor) {
      return { owner: "editor", uri, languageId: editor.languageId, version: editor.version, text: editor.text, servers: servers.filter((s) => s.isOpen(uri)) };
    }
    return this.agentDocs.sync(uri, languageId, text, servers);
  }

  /** Whether the agent (not the editor) has this document open in the servers. */
  isAgentDocument(uri: string): boolean {
    return this.agentDocs.has(uri);
  }

  // Requests ------------------------------------------------------------------------------------

  /** See Router.agentRequest. */
  agentRequest(method: string, params: any, languageId: string | undefined, token?: CancellationToken): Promise<unknown> | undefined {
    return this.router.agentRequest(method, params, languageId, token);
  }

  /** See Router.route: undefined when no server is meant for the request. */
  route(method: string, params: any, token: CancellationToken): Promise<unknown> | undefined {
    return this.router.route(method, params, token);
  }

  /**
   * Passes the editor's request through as bytes when one server owns its answer (the answer then
   * goes straight to the editor's frame writer; `answered` hears when). False: route it instead.
   */
  forward(request: EditorRequest, answered: (ok: boolean) => void): boolean {
    if (!this.passthrough) return false;
    const owner = this.router.owner(request.method, request.params);
    return owner !== undefined && this.passthrough.send(owner, request, answered);
  }

  /** Forwards `$/cancelRequest` for a request passed through; false when it was not one. */
  cancelForwarded(editorId: unknown): boolean {
    return this.passthrough?.cancel(editorId) ?? false;
  }

  // Lifecycle -----------------------------------------------------------------------------------

  health(): ProxyHealth[] {
    return this.servers.map((s) => ({ name: s.name, state: s.state, pid: s.pid ?? null, restarts: s.restarts }));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    for (const server of this.servers) this.passthrough?.serverDown(server);
    process.off("exit", this.onProcessExit);
    this.agentDocs.clear();
  }

  killAll(): void {
    for (const server of this.servers) server.kill();
  }
}

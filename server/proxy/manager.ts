// The proxy manager: the real language servers configured under `proxy`, fronted as one. It starts
// the servers for the workspace, keeps them in sync with the editor's documents, routes requests to
// the servers that can answer them (merging completion, code actions and workspace symbols, taking
// the first non-null answer otherwise), relays what they ask of the editor, and merges diagnostics.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CancellationToken } from "vscode-jsonrpc/node";
import type { Diagnostic, InitializeParams, ServerCapabilities, TextDocumentContentChangeEvent } from "vscode-languageserver-protocol";
import type { ProxyConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { hasCapability } from "./capabilities.ts";
import { ProxiedServer, type ChildHost, type OpenDocument } from "./child.ts";
import { DiagnosticsMerger } from "./diagnostics.ts";
import { configurationFor } from "./settings.ts";

/** How the manager reaches the editor (implemented by the LSP front). */
export interface EditorChannel {
  request(method: string, params: unknown): Promise<unknown>;
  notify(method: string, params: unknown): void;
}

export interface ProxyManagerOptions {
  entries: Record<string, ProxyConfig>;
  root: string | undefined;
  initializeParams: InitializeParams;
  editor: EditorChannel;
  openDocuments(): OpenDocument[];
  notice(level: "error" | "warning" | "info", message: string): void;
  log: Logger;
}

/** Resolve requests: the item's `data` carries the name of the server that made it. */
const RESOLVE_METHODS = new Set(["completionItem/resolve", "codeAction/resolve", "codeLens/resolve", "documentLink/resolve", "inlayHint/resolve"]);
const TAG = "$opencodeProxy";

interface Tagged {
  [TAG]: string;
  data?: unknown;
}

/** What the agent side (LanguageIntel) follows: documents changing and servers reporting. */
export type ProxyEvent =
  | { type: "changed"; uri: string; version: number; opened: boolean }
  | { type: "published"; server: string; uri: string; diagnostics: Diagnostic[]; version: number | undefined }
  | { type: "down"; server: string };

/** Documents the agent opened itself (not open in the editor) kept open in the servers, oldest closed first. */
export const MAX_AGENT_DOCUMENTS = 32;

export interface AgentDocumentSync {
  /** Who owns the document in the servers: the editor (it has it open) or the agent. */
  owner: "editor" | "agent";
  uri: string;
  languageId: string;
  version: number;
  /** The text the servers have. */
  text: string;
  /** The running servers that have the document open. */
  servers: ProxiedServer[];
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
  /** The agent's own documents, by uri, least recently used first. */
  private readonly agentDocs = new Map<string, OpenDocument>();
  private readonly listeners = new Set<(event: ProxyEvent) => void>();

  constructor(options: ProxyManagerOptions) {
    this.options = options;
    this.diagnostics = new DiagnosticsMerger((uri, diagnostics, version) =>
      options.editor.notify("textDocument/publishDiagnostics", { uri, diagnostics, ...(version !== undefined ? { version } : {}) }),
    );
    const host: ChildHost = {
      root: options.root,
      initializeParams: options.initializeParams,
      // A restarted server is re-synced with the editor's documents and the agent's.
      openDocuments: () => [...options.openDocuments(), ...this.agentDocs.values()],
      onServerRequest: (child, method, params) => this.serverRequest(child, method, params),
      onServerNotification: (child, method, params) => this.serverNotification(child, method, params),
      onDown: (child) => {
        this.diagnostics.clearSource(child.name);
        this.emit({ type: "down", server: child.name });
      },
      notice: options.notice,
      log: options.log,
    };
    this.servers = Object.entries(options.entries)
      .filter(([, entry]) => this.rootMatches(entry))
      .map(([name, entry]) => new ProxiedServer(name, entry, host));
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

  /** Starts every server for this workspace; a server that fails to start is reported, not fatal. */
  async start(timeoutMs = 10_000): Promise<void> {
    await Promise.all(this.servers.map((server) => this.startOne(server, timeoutMs)));
  }

  private async startOne(server: ProxiedServer, timeoutMs: number): Promise<void> {
    if (server.state === "running") return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([server.start(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no initialize answer within ${timeoutMs} ms`)), timeoutMs)))]);
    } catch (error) {
      this.options.log.warn({ proxy: server.name, err: error }, "proxied server did not start");
      this.options.notice("warning", `opencode-lsp: ${server.name} did not start: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
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
    if (this.agentDocs.delete(doc.uri)) for (const server of this.servers) server.didClose(doc.uri);
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
  async startFor(languageId: string, timeoutMs = 10_000): Promise<ProxiedServer[]> {
    const servers = this.serversFor(languageId);
    await Promise.all(servers.map((s) => this.startOne(s, timeoutMs)));
    return servers.filter((s) => s.state === "running");
  }

  /**
   * Makes the servers see `text` for a document the agent works on. A document the editor has open
   * is the editor's: nothing is sent (the agent's edits reach it through the editor and come back as
   * didChange), the caller gets the editor's version. Otherwise the agent opens it (didOpen), or
   * sends the new text (didChange, full text) when it changed; unchanged text sends nothing.
   */
  async syncAgentDocument(uri: string, languageId: string, text: string, startTimeoutMs?: number): Promise<AgentDocumentSync> {
    const servers = await this.startFor(languageId, startTimeoutMs);
    const editor = this.editorDocument(uri);
    if (editor) {
      return { owner: "editor", uri, languageId: editor.languageId, version: editor.version, text: editor.text, servers: servers.filter((s) => s.isOpen(uri)) };
    }
    let doc = this.agentDocs.get(uri);
    let changed = false;
    let opened = false;
    if (!doc || doc.languageId !== languageId) {
      if (doc) for (const server of this.servers) server.didClose(uri);
      doc = { uri, languageId, version: (doc?.version ?? 0) + 1, text };
      changed = true;
    } else if (doc.text !== text) {
      doc = { ...doc, version: doc.version + 1, text };
      changed = true;
    }
    this.agentDocs.delete(uri); // re-inserted last: most recently used
    this.agentDocs.set(uri, doc);
    for (const server of servers) {
      if (!server.isOpen(uri)) {
        server.didOpen(doc);
        opened = true;
      } else if (changed) {
        server.didChange(doc, [{ text }]);
      }
    }
    if (changed || opened) this.emit({ type: "changed", uri, version: doc.version, opened });
    this.evictAgentDocuments();
    return { owner: "agent", uri, languageId, version: doc.version, text, servers };
  }

  private evictAgentDocuments(): void {
    while (this.agentDocs.size > MAX_AGENT_DOCUMENTS) {
      const oldest = this.agentDocs.keys().next().value!;
      this.agentDocs.delete(oldest);
      for (const server of this.servers) server.didClose(oldest);
    }
  }

  /** Whether the agent (not the editor) has this document open in the servers. */
  isAgentDocument(uri: string): boolean {
    return this.agentDocs.has(uri);
  }

  /**
   * A request on the agent's behalf, to the running servers meant for `languageId` (all running
   * servers when undefined) that have the capability (and the document open, for a document
   * request). workspace/symbol answers are concatenated; otherwise the first non-null answer.
   * Undefined when no server can answer it.
   */
  agentRequest(method: string, params: any, languageId: string | undefined, token?: CancellationToken): Promise<unknown> | undefined {
    const uri: string | undefined = params?.textDocument?.uri;
    const candidates = this.running().filter(
      (s) => (languageId === undefined || s.handles(languageId)) && (uri ? s.isOpen(uri) : true) && hasCapability(s.capabilities, method),
    );
    if (candidates.length === 0) return undefined;
    const cancel = token ?? neverCancelled;
    if (method === "workspace/symbol") return this.mergeLists(candidates, method, params, cancel, false);
    return firstNonNull(candidates.map((s) => s.request(method, params, cancel)));
  }

  // Requests ------------------------------------------------------------------------------------

  /**
   * Answers a request from the editor through the servers, or undefined when no server is meant
   * for it (the caller then answers MethodNotFound).
   */
  route(method: string, params: any, token: CancellationToken): Promise<unknown> | undefined {
    if (RESOLVE_METHODS.has(method)) return this.resolve(method, params, token);
    if (method === "workspace/executeCommand") {
      const server = this.running().find((s) => commandsOf(s).includes(params?.command));
      return server?.request(method, params, token);
    }
    const uri: string | undefined = params?.textDocument?.uri;
    const candidates = this.running().filter((s) => (uri ? s.isOpen(uri) : true) && hasCapability(s.capabilities, method));
    if (candidates.length === 0) {
      // A capability we advertised (through some server) but no server has this document: nothing to say.
      return uri || method.startsWith("workspace/") ? Promise.resolve(null) : undefined;
    }
    switch (method) {
      case "textDocument/completion":
        return this.mergeCompletion(candidates, params, token);
      case "textDocument/codeAction":
        return this.mergeLists(candidates, method, params, token, true);
      case "workspace/symbol":
        return this.mergeLists(candidates, method, params, token, false);
      default:
        return firstNonNull(candidates.map((s) => s.request(method, params, token)));
    }
  }

  private running(): ProxiedServer[] {
    return this.servers.filter((s) => s.state === "running" || s.state === "restarting");
  }

  private async mergeCompletion(servers: ProxiedServer[], params: unknown, token: CancellationToken): Promise<unknown> {
    const answers = await settled(servers, (s) => s.request("textDocument/completion", params, token), this.options.log);
    // One server: its answer as it is (lists run to thousands of items; a resolve finds the only server).
    if (servers.length === 1) return answers[0]?.[1] ?? null;
    let isIncomplete = false;
    const items: unknown[] = [];
    for (const [server, answer] of answers) {
      if (!answer) continue;
      const list = Array.isArray(answer) ? { items: answer, isIncomplete: false } : (answer as { items: unknown[]; isIncomplete: boolean });
      isIncomplete ||= list.isIncomplete;
      for (const item of list.items) items.push(tag(item, server.name));
    }
    return { isIncomplete, items };
  }

  private async mergeLists(servers: ProxiedServer[], method: string, params: unknown, token: CancellationToken, tagItems: boolean): Promise<unknown[] | null> {
    const answers = await settled(servers, (s) => s.request(method, params, token), this.options.log);
    const merged: unknown[] = [];
    for (const [server, answer] of answers) {
      if (!Array.isArray(answer)) continue;
      for (const item of answer) merged.push(tagItems && isObject(item) && !("command" in item && typeof item.command === "string") ? tag(item, server.name) : item);
    }
    return answers.length === 0 ? null : merged;
  }

  private async resolve(method: string, params: any, token: CancellationToken): Promise<unknown> {
    const data = params?.data as (Tagged & { opencode?: unknown }) | undefined;
    if (data?.opencode !== undefined) return params; // one of ours
    const tagged = this.running().find((s) => s.name === data?.[TAG]);
    if (tagged) {
      const result = await tagged.request(method, { ...params, data: data?.data }, token);
      return isObject(result) ? tag(result, tagged.name) : result;
    }
    // Untagged: it came from the only server that makes such items (answers of one server are not tagged).
    const able = this.running().filter((s) => hasCapability(s.capabilities, method));
    if (able.length !== 1) return params;
    return able[0]!.request(method, params, token);
  }

  // What the servers ask of the editor ----------------------------------------------------------

  private async serverRequest(child: ProxiedServer, method: string, params: any): Promise<unknown> {
    const caps = this.options.initializeParams.capabilities;
    switch (method) {
      case "workspace/configuration":
        return configurationFor(child.entry.settings, params?.items ?? []);
      case "workspace/workspaceFolders":
        return this.options.initializeParams.workspaceFolders ?? null;
      case "window/workDoneProgress/create":
        return caps.window?.workDoneProgress ? this.options.editor.request(method, params) : null;
      case "client/registerCapability":
      case "client/unregisterCapability":
        // Editors without dynamic registration cannot take these; the server still works.
        return this.supportsDynamicRegistration() ? this.options.editor.request(method, params) : null;
      default:
        return this.options.editor.request(method, params);
    }
  }

  private supportsDynamicRegistration(): boolean {
    const caps = this.options.initializeParams.capabilities as any;
    return Boolean(caps.workspace?.didChangeWatchedFiles?.dynamicRegistration || caps.textDocument?.synchronization?.dynamicRegistration);
  }

  private serverNotification(child: ProxiedServer, method: string, params: any): void {
    switch (method) {
      case "textDocument/publishDiagnostics":
        this.diagnostics.set(child.name, params.uri, (params.diagnostics ?? []) as Diagnostic[], params.version);
        this.emit({ type: "published", server: child.name, uri: params.uri, diagnostics: (params.diagnostics ?? []) as Diagnostic[], version: params.version ?? undefined });
        return;
      case "$/progress":
        if (this.options.initializeParams.capabilities.window?.workDoneProgress) this.options.editor.notify(method, params);
        return;
      case "window/logMessage":
      case "window/showMessage":
      case "telemetry/event":
        this.options.editor.notify(method, params);
        return;
      default:
        this.options.log.debug({ proxy: child.name, method }, "notification from proxied server not relayed");
    }
  }

  // Lifecycle -----------------------------------------------------------------------------------

  health(): ProxyHealth[] {
    return this.servers.map((s) => ({ name: s.name, state: s.state, pid: s.pid ?? null, restarts: s.restarts }));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    process.off("exit", this.onProcessExit);
    this.agentDocs.clear();
  }

  killAll(): void {
    for (const server of this.servers) server.kill();
  }
}

const neverCancelled: CancellationToken = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Marks an item (in place: it was just parsed from the server's answer) with the server that made it. */
function tag<T>(item: T, server: string): T {
  if (!isObject(item)) return item;
  (item as Record<string, unknown>).data = { [TAG]: server, data: item.data } satisfies Tagged;
  return item;
}

function commandsOf(server: ProxiedServer): string[] {
  return server.capabilities.executeCommandProvider?.commands ?? [];
}

/**
 * The first answer that is not null, in the order given (config order): it waits for the servers
 * before that one only. Null if all answer null; an error only if all fail.
 */
async function firstNonNull(requests: Promise<unknown>[]): Promise<unknown> {
  const outcomes = requests.map((p) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })));
  let failures = 0;
  let firstError: unknown;
  for (const outcome of outcomes) {
    const r = await outcome;
    if (r.ok && r.value !== null && r.value !== undefined) return r.value;
    if (!r.ok) {
      failures++;
      firstError ??= r.error;
    }
  }
  if (failures === outcomes.length) throw firstError;
  return null;
}

/** Every server's answer; a failing server is logged and left out (unless all fail). */
async function settled(servers: ProxiedServer[], call: (s: ProxiedServer) => Promise<unknown>, log: Logger): Promise<[ProxiedServer, unknown][]> {
  const results = await Promise.allSettled(servers.map(call));
  const out: [ProxiedServer, unknown][] = [];
  results.forEach((r, i) => {
    if (r.status === "fulfilled") out.push([servers[i]!, r.value]);
    else log.debug({ proxy: servers[i]!.name, err: r.reason }, "proxied request failed");
  });
  if (out.length === 0 && results.length > 0) throw (results[0] as PromiseRejectedResult).reason;
  return out;
}

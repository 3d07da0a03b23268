// The agent's window on the proxied language servers (LanguageIntel): it keeps the servers in step
// with the files the agent works on (opening them itself when the editor has not), waits for fresh
// diagnostics after a change, and asks the servers about positions and symbols. The same facade
// serves the LSP front's servers and the ones `opencode-lsp run` starts lazily.
//
// Fresh diagnostics: a server's report for a document counts once it arrived after the document's
// latest change (and, when the server sends versions, is for that version or later). Servers that
// pull (`diagnosticProvider`) are asked. Some servers say nothing when nothing changed
// (typescript-language-server skips a report identical to its last); for a server that reported on
// the document before, silence for longer than twice its slowest recent change→report time (at
// least QUIET_MIN_MS) counts as "unchanged". A short settle window after the last report collects
// the reports servers send in parts (typescript: syntax, then semantic). Past the timeout the last
// known diagnostics are returned, marked not fresh.
import { fileURLToPath, pathToFileURL } from "node:url";
import { CancellationTokenSource, type CancellationToken } from "vscode-jsonrpc/node";
import type { Diagnostic } from "vscode-languageserver-protocol";
import { servedLanguageId } from "./languages.ts";
import type { ProxiedServer } from "./child.ts";
import type { AgentDocumentSync, ProxyEvent, ProxyManager } from "./manager.ts";

export interface DiagnosticsReport {
  /** The servers that serve the file. */
  servers: string[];
  /** Every server's diagnostics for the file; `source` filled with the server's name when missing. */
  diagnostics: Diagnostic[];
  /** Every server reported on the current text (or was asked, or stayed quiet long enough). */
  fresh: boolean;
  /** The servers that had not reported when the wait ended. */
  pending: string[];
  waitedMs: number;
}

export interface IntelRequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What the tools use (ctx.intel). Paths are absolute; texts are the file's current text. */
export interface LanguageIntel {
  /** The languageId under which a configured server takes this file, or undefined when none does. */
  languageOf(abs: string): string | undefined;
  /** Tells the servers the file's current text (after the agent wrote it). */
  sync(abs: string, text: string): Promise<void>;
  /** Syncs, then waits (up to timeoutMs) for every server's diagnostics on this text. Undefined when no server serves the file. */
  diagnostics(abs: string, text: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<DiagnosticsReport | undefined>;
  /**
   * Syncs, then sends a textDocument request about the file (`textDocument` is added to params).
   * Undefined when no running server for the file has the capability.
   */
  request(method: string, abs: string, text: string, params: Record<string, unknown>, options?: IntelRequestOptions): Promise<{ result: unknown } | undefined>;
  /** workspace/symbol over the servers (those of `near`'s language, synced first, when given). */
  workspaceSymbols(query: string, near?: { abs: string; text: string }, options?: IntelRequestOptions): Promise<{ result: unknown[] } | undefined>;
}

const SETTLE_MS = 120;
/**
 * After a document is opened, servers without versions report in parts with gaps that can be long
 * (typescript: syntax at once, the first semantic check of the project later): the settle window
 * then is 1.5 × the longest first-to-last span seen after earlier opens (+200 ms), within these bounds.
 */
const OPEN_SETTLE_DEFAULT_MS = 1_500;
const OPEN_SETTLE_MIN_MS = 400;
const OPEN_SETTLE_MAX_MS = 4_000;
/** Reports this long after the first one following an open no longer count as that open's burst. */
const OPEN_BURST_MS = 10_000;
const QUIET_MIN_MS = 600;
const LATENCY_SAMPLES = 5;
const DEFAULT_DIAGNOSTICS_TIMEOUT_MS = 3_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
/** After the agent opened a document, requests wait (this long at most) for the servers' first report on it. */
const FIRST_REPORT_MS = 8_000;

interface Report {
  diagnostics: Diagnostic[];
  seq: number;
  version: number | undefined;
}

interface DocState {
  /** Sequence number of the latest change (didOpen/didChange) of this document. */
  changedSeq: number;
  changedAt: number;
  version: number;
  /** Servers whose first report after the latest change was already timed. */
  timed: Set<string>;
  /** Per server: when its first report after the latest open arrived. */
  firstReportAt: Map<string, number>;
  /** The latest change was an open (no edit since). */
  sinceOpen: boolean;
  reports: Map<string, Report>;
}

/** A key for a document that does not depend on how a client spelled its file URI. */
function keyOf(uri: string): string {
  if (!uri.startsWith("file:")) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

export class ProxyIntel implements LanguageIntel {
  private readonly manager: () => ProxyManager | undefined;
  private subscribed: ProxyManager | undefined;
  private unsubscribe: (() => void) | undefined;
  private seq = 0;
  private readonly docs = new Map<string, DocState>();
  private readonly latency = new Map<string, number[]>();
  private readonly openSpans = new Map<string, number[]>();
  private readonly waiters = new Set<() => void>();

  /** `manager` is read on each call: the LSP front creates its servers after the agent runtime may exist. */
  constructor(manager: () => ProxyManager | undefined) {
    this.manager = manager;
  }

  private current(): ProxyManager | undefined {
    const manager = this.manager();
    if (manager !== this.subscribed) {
      this.unsubscribe?.();
      this.docs.clear();
      this.subscribed = manager;
      this.unsubscribe = manager?.subscribe((event) => this.onEvent(event));
    }
    return manager;
  }

  private doc(key: string): DocState {
    let doc = this.docs.get(key);
    if (!doc) this.docs.set(key, (doc = { changedSeq: 0, changedAt: 0, version: 0, timed: new Set(), reports: new Map(), firstReportAt: new Map(), sinceOpen: false }));
    return doc;
  }

  private onEvent(event: ProxyEvent): void {
    switch (event.type) {
      case "changed": {
        const doc = this.doc(keyOf(event.uri));
        doc.changedSeq = ++this.seq;
        doc.changedAt = performance.now();
        doc.version = event.version;
        doc.timed.clear();
        doc.sinceOpen = event.opened;
        // An open is no change sample (it includes loading the project); don't time the first report.
        if (event.opened) {
          for (const s of this.manager()?.servers ?? []) doc.timed.add(s.name);
          doc.reports.clear(); // what the servers said before this open no longer counts
          doc.firstReportAt.clear();
        }
        break;
      }
      case "published": {
        const doc = this.doc(keyOf(event.uri));
        doc.reports.set(event.server, { diagnostics: event.diagnostics, seq: ++this.seq, version: event.version });
        const now = performance.now();
        const first = doc.firstReportAt.get(event.server);
        if (first === undefined) doc.firstReportAt.set(event.server, now);
        else if (doc.sinceOpen && now - first < OPEN_BURST_MS && event.version === undefined) {
          const spans = this.openSpans.get(event.server) ?? [];
          spans.push(now - first);
          if (spans.length > LATENCY_SAMPLES) spans.shift();
          this.openSpans.set(event.server, spans);
        }
        if (!doc.timed.has(event.server) && doc.changedSeq > 0) {
          doc.timed.add(event.server);
          const samples = this.latency.get(event.server) ?? [];
          samples.push(performance.now() - doc.changedAt);
          if (samples.length > LATENCY_SAMPLES) samples.shift();
          this.latency.set(event.server, samples);
        }
        break;
      }
      case "down":
        for (const doc of this.docs.values()) doc.reports.delete(event.server);
        break;
    }
    for (const wake of [...this.waiters]) wake();
  }

  /** The uri the servers know the file by: the editor's spelling when it has the file open. */
  private uriFor(manager: ProxyManager, abs: string): { uri: string; languageId?: string } {
    for (const doc of manager.editorDocuments()) if (keyOf(doc.uri) === abs) return { uri: doc.uri, languageId: doc.languageId };
    return { uri: pathToFileURL(abs).href };
  }

  languageOf(abs: string): string | undefined {
    const manager = this.current();
    if (!manager) return undefined;
    const editor = this.uriFor(manager, abs).languageId;
    if (editor && manager.serversFor(editor).length > 0) return editor;
    const id = servedLanguageId(abs, Object.values(manager.entries));
    return id && manager.serversFor(id).length > 0 ? id : undefined;
  }

  async sync(abs: string, text: string): Promise<void> {
    await this.prepare(abs, text);
  }

  private async prepare(abs: string, text: string) {
    const manager = this.current();
    const languageId = this.languageOf(abs);
    if (!manager || !languageId) return undefined;
    const { uri } = this.uriFor(manager, abs);
    const synced = await manager.syncAgentDocument(uri, languageId, text);
    return { manager, synced };
  }

  async diagnostics(abs: string, text: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<DiagnosticsReport | undefined> {
    const started = performance.now();
    const prepared = await this.prepare(abs, text);
    if (!prepared) return undefined;
    const { manager, synced } = prepared;
    const key = keyOf(synced.uri);
    // A server that has not reported on the document since it was opened is loading its project: that
    // first check gets longer.
    const first = synced.servers.some((s) => !s.capabilities.diagnosticProvider && !this.doc(key).reports.has(s.name));
    const timeoutMs = Math.max(options.timeoutMs ?? DEFAULT_DIAGNOSTICS_TIMEOUT_MS, first ? FIRST_REPORT_MS : 0);
    const deadline = started + timeoutMs;
    // The editor's document: the agent's write reaches the servers once the editor applied it.
    if (synced.owner === "editor" && synced.text !== text) {
      await this.until(() => manager.editorDocument(synced.uri)?.text === text, deadline, options.signal);
    }

    const pulled = new Map<string, Diagnostic[]>();
    const pullers = synced.servers.filter((s) => s.capabilities.diagnosticProvider);
    const pushers = synced.servers.filter((s) => !s.capabilities.diagnosticProvider);
    const pulling = Promise.all(
      pullers.map(async (server) => {
        try {
          const answer = (await withTimeout(server.request("textDocument/diagnostic", { textDocument: { uri: synced.uri } }), deadline - performance.now())) as { kind?: string; items?: Diagnostic[] } | null;
          if (answer?.kind === "full") pulled.set(server.name, answer.items ?? []);
        } catch {
          // Counted as pending below.
        }
      }),
    );

    const freshness = () => {
      const doc = this.doc(key);
      const now = performance.now();
      const pending: ProxiedServer[] = [];
      for (const server of pushers) {
        const report = doc.reports.get(server.name);
        const reported = report && report.seq > doc.changedSeq && (report.version === undefined || report.version >= doc.version);
        const quiet = report && !reported && now - doc.changedAt >= this.quietMs(server.name, timeoutMs);
        if (!reported && !quiet) pending.push(server);
      }
      return pending;
    };
    await this.until(() => freshness().length === 0, deadline, options.signal);
    // Reports can come in parts: wait until the servers have been quiet for a moment.
    if (freshness().length === 0) await this.settle(key, () => this.settleMs(key, pushers), deadline, options.signal);
    await pulling;

    const doc = this.doc(key);
    const diagnostics: Diagnostic[] = [];
    for (const server of synced.servers) {
      const list = pulled.get(server.name) ?? doc.reports.get(server.name)?.diagnostics ?? [];
      for (const d of list) diagnostics.push(d.source ? d : { ...d, source: server.name });
    }
    const pending = [...freshness().map((s) => s.name), ...pullers.filter((s) => !pulled.has(s.name)).map((s) => s.name)];
    return { servers: synced.servers.map((s) => s.name), diagnostics, fresh: pending.length === 0, pending, waitedMs: Math.round(performance.now() - started) };
  }

  /**
   * Waits until every (push) server reported on the document once since it was opened: a server
   * still loading its project may answer from partial knowledge (typescript's syntax server sends
   * a definition to the import, not the declaration).
   */
  private async loaded(synced: AgentDocumentSync, signal: AbortSignal | undefined): Promise<void> {
    const pushers = synced.servers.filter((s) => !s.capabilities.diagnosticProvider);
    const doc = this.doc(keyOf(synced.uri));
    await this.until(() => pushers.every((s) => doc.reports.has(s.name)), performance.now() + FIRST_REPORT_MS, signal);
  }

  /** How long a server that reported on a document before may stay silent after a change before we take "no report" for "unchanged". */
  private quietMs(server: string, timeoutMs: number): number {
    const samples = this.latency.get(server);
    if (!samples?.length) return timeoutMs;
    return Math.min(timeoutMs, Math.max(QUIET_MIN_MS, 2 * Math.max(...samples) + 200));
  }

  /** The settle window: longer while a server without versions may still be in the burst that follows an open. */
  private settleMs(key: string, servers: ProxiedServer[]): number {
    const doc = this.doc(key);
    const now = performance.now();
    let ms = SETTLE_MS;
    if (!doc.sinceOpen) return ms;
    for (const server of servers) {
      if (doc.reports.get(server.name)?.version !== undefined) continue;
      const first = doc.firstReportAt.get(server.name);
      const spans = this.openSpans.get(server.name);
      const window = spans?.length ? Math.min(OPEN_SETTLE_MAX_MS, Math.max(OPEN_SETTLE_MIN_MS, 1.5 * Math.max(...spans) + 200)) : OPEN_SETTLE_DEFAULT_MS;
      if (first !== undefined && now - first < window) ms = Math.max(ms, window - (now - first));
    }
    return ms;
  }

  private async settle(key: string, settleMs: () => number, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    let last = this.lastReportSeq(key);
    for (;;) {
      const until = Math.min(deadline, performance.now() + settleMs());
      await this.until(() => this.lastReportSeq(key) !== last, until, signal);
      const now = this.lastReportSeq(key);
      if (now === last || performance.now() >= deadline) return;
      last = now;
    }
  }

  private lastReportSeq(key: string): number {
    let max = 0;
    for (const r of this.docs.get(key)?.reports.values() ?? []) max = Math.max(max, r.seq);
    return max;
  }

  /** Resolves when `done()` holds (checked on every proxy event), at the deadline, or on abort. */
  private until(done: () => boolean, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    if (done() || signal?.aborted || performance.now() >= deadline) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        if (done() || signal?.aborted || performance.now() >= deadline) finish();
      };
      const finish = () => {
        clearInterval(timer);
        this.waiters.delete(check);
        signal?.removeEventListener("abort", finish);
        resolve();
      };
      this.waiters.add(check);
      signal?.addEventListener("abort", finish, { once: true });
      // Time also passes without events (quiet servers, the deadline).
      timer = setInterval(check, 50);
    });
  }

  async request(method: string, abs: string, text: string, params: Record<string, unknown>, options: IntelRequestOptions = {}): Promise<{ result: unknown } | undefined> {
    const prepared = await this.prepare(abs, text);
    if (!prepared) return undefined;
    const { manager, synced } = prepared;
    await this.loaded(synced, options.signal);
    return this.send(options, (token) => manager.agentRequest(method, { ...params, textDocument: { uri: synced.uri } }, synced.languageId, token));
  }

  async workspaceSymbols(query: string, near?: { abs: string; text: string }, options: IntelRequestOptions = {}): Promise<{ result: unknown[] } | undefined> {
    const manager = this.current();
    if (!manager) return undefined;
    let languageId: string | undefined;
    if (near) {
      const prepared = await this.prepare(near.abs, near.text);
      if (prepared) await this.loaded(prepared.synced, options.signal);
      languageId = prepared?.synced.languageId;
    } else if (!manager.servers.some((s) => s.state === "running")) {
      await manager.start();
    }
    const answer = await this.send(options, (token) => manager.agentRequest("workspace/symbol", { query }, languageId, token));
    return answer && { result: Array.isArray(answer.result) ? answer.result : [] };
  }

  private async send(options: IntelRequestOptions, call: (token: CancellationToken) => Promise<unknown> | undefined): Promise<{ result: unknown } | undefined> {
    const source = new CancellationTokenSource();
    const onAbort = () => source.cancel();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const pending = call(source.token);
      if (!pending) return undefined;
      const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const result = await withTimeout(pending, timeoutMs).catch((error: unknown) => {
        source.cancel();
        throw error;
      });
      return { result };
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      source.dispose();
    }
  }

  /** Stops following the manager (the manager itself belongs to whoever created it). */
  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribed = undefined;
    for (const wake of [...this.waiters]) wake();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return Promise.reject(new Error("timed out"));
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 100) / 10} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// One proxied language server: a child process spoken to over stdio with vscode-jsonrpc. It is
// initialized with the editor's params, kept in sync with the documents of its filetypes, and
// restarted with backoff when it crashes (re-initialized and re-synced), until it crashes too often.
import { spawn, type ChildProcess } from "node:child_process";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CancellationToken,
  type MessageConnection,
} from "vscode-jsonrpc/node";
import type { InitializeParams, InitializeResult, ServerCapabilities, TextDocumentContentChangeEvent } from "vscode-languageserver-protocol";
import type { ProxyConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";

export interface OpenDocument {
  uri: string;
  languageId: string;
  version: number;
  text: string;
}

/** What a child needs from the manager. */
export interface ChildHost {
  root: string | undefined;
  initializeParams: InitializeParams;
  openDocuments(): OpenDocument[];
  /** A request or notification the child sent to its client. */
  onServerRequest(child: ProxiedServer, method: string, params: unknown): Promise<unknown>;
  onServerNotification(child: ProxiedServer, method: string, params: unknown): void;
  /** The child stopped running (crash): its diagnostics are stale. */
  onDown(child: ProxiedServer): void;
  notice(level: "error" | "warning" | "info", message: string): void;
  log: Logger;
}

export type ChildState = "idle" | "starting" | "running" | "restarting" | "stopped" | "failed";

/** Give up after this many crashes within CRASH_WINDOW_MS. */
export const MAX_CRASHES = 5;
export const CRASH_WINDOW_MS = 60_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 8_000;
const SHUTDOWN_GRACE_MS = 1_500;

const TEXT_SYNC_FULL = 1;
const TEXT_SYNC_NONE = 0;

export class ProxiedServer {
  readonly name: string;
  readonly entry: ProxyConfig;
  state: ChildState = "idle";
  capabilities: ServerCapabilities = {};
  restarts = 0;
  private readonly host: ChildHost;
  private process: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private ready: Promise<void> | undefined;
  private readonly crashes: number[] = [];
  /** Documents this server was told about (didOpen sent). */
  private readonly opened = new Set<string>();

  constructor(name: string, entry: ProxyConfig, host: ChildHost) {
    this.name = name;
    this.entry = entry;
    this.host = host;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  handles(languageId: string): boolean {
    return this.entry.filetypes.includes(languageId);
  }

  isOpen(uri: string): boolean {
    return this.opened.has(uri);
  }

  /** Starts the server; resolves once it answered initialize (or rejects). */
  start(): Promise<void> {
    this.ready ??= this.launch().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async launch(): Promise<void> {
    this.state = this.restarts > 0 ? "restarting" : "starting";
    const [command, ...args] = this.entry.command;
    const child = spawn(command!, args, { cwd: this.host.root ?? process.cwd(), stdio: ["pipe", "pipe", "pipe"], detached: true });
    this.process = child;
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => this.host.log.debug({ proxy: this.name }, text.trimEnd()));
    child.on("exit", (code, signal) => this.exited(child, code, signal));
    try {
      await spawned;
    } catch (error) {
      this.state = "failed";
      this.host.notice("error", `opencode-lsp: could not start ${this.name} (${this.entry.command.join(" ")}): ${(error as Error).message}`);
      throw error;
    }

    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    this.connection = connection;
    connection.onRequest((method, params) => this.host.onServerRequest(this, method, params));
    connection.onNotification((method, params) => this.host.onServerNotification(this, method, params));
    connection.onError(([error]) => this.host.log.debug({ proxy: this.name, err: error }, "connection error"));
    connection.listen();

    const params: InitializeParams = {
      ...this.host.initializeParams,
      processId: process.pid,
      initializationOptions: this.entry.initializationOptions ?? this.host.initializeParams.initializationOptions,
    };
    if (this.entry.initializationOptions === undefined) delete params.initializationOptions;
    const result = (await connection.sendRequest("initialize", params)) as InitializeResult;
    this.capabilities = result.capabilities ?? {};
    await connection.sendNotification("initialized", {});
    if (this.entry.settings) await connection.sendNotification("workspace/didChangeConfiguration", { settings: this.entry.settings });
    this.state = "running";
    this.opened.clear();
    for (const doc of this.host.openDocuments()) if (this.handles(doc.languageId)) this.didOpen(doc);
    this.host.log.info({ proxy: this.name, pid: child.pid, restarts: this.restarts }, "proxied server running");
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.process) return;
    // What the server started (tsserver…) shares its process group and may outlive it: not for long.
    killGroup(child.pid);
    this.connection?.dispose();
    this.connection = undefined;
    this.process = undefined;
    this.ready = undefined;
    this.opened.clear();
    if (this.state === "stopped") return;
    this.host.onDown(this);
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - this.crashes[0]! > CRASH_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length >= MAX_CRASHES) {
      this.state = "failed";
      this.host.notice("error", `opencode-lsp: ${this.name} crashed ${this.crashes.length} times within ${CRASH_WINDOW_MS / 1000} s; not restarting it. Check its log (--log-level debug).`);
      return;
    }
    const delay = Math.min(BACKOFF_BASE_MS * 2 ** (this.crashes.length - 1), BACKOFF_MAX_MS);
    this.host.log.warn({ proxy: this.name, code, signal, delayMs: delay }, "proxied server exited; restarting");
    this.state = "restarting";
    setTimeout(() => {
      if (this.state !== "restarting") return;
      this.restarts++;
      this.start().catch((error: unknown) => this.host.log.warn({ proxy: this.name, err: error }, "restart failed"));
    }, delay).unref();
  }

  async request(method: string, params: unknown, token?: CancellationToken): Promise<unknown> {
    if (this.state === "failed" || this.state === "stopped") throw new Error(`${this.name} is not running (${this.state})`);
    await this.start();
    return this.connection!.sendRequest(method, params, token);
  }

  notify(method: string, params: unknown): void {
    if (this.state !== "running" || !this.connection) return;
    this.connection.sendNotification(method, params).catch((error: unknown) => this.host.log.debug({ proxy: this.name, err: error }, `${method} not sent`));
  }

  didOpen(doc: OpenDocument): void {
    if (this.state !== "running") return;
    this.opened.add(doc.uri);
    this.notify("textDocument/didOpen", { textDocument: doc });
  }

  /** Forwards a change as the server asked for it: the editor's increments, or the whole text. */
  didChange(doc: OpenDocument, changes: TextDocumentContentChangeEvent[]): void {
    if (!this.opened.has(doc.uri)) return;
    const kind = this.syncKind();
    if (kind === TEXT_SYNC_NONE) return;
    const contentChanges = kind === TEXT_SYNC_FULL ? [{ text: doc.text }] : changes;
    this.notify("textDocument/didChange", { textDocument: { uri: doc.uri, version: doc.version }, contentChanges });
  }

  didClose(uri: string): void {
    if (!this.opened.delete(uri)) return;
    this.notify("textDocument/didClose", { textDocument: { uri } });
  }

  didSave(uri: string, text: string | undefined): void {
    if (!this.opened.has(uri)) return;
    const sync = this.capabilities.textDocumentSync;
    const save = typeof sync === "object" ? sync.save : undefined;
    if (typeof sync === "object" && !save) return;
    const includeText = typeof save === "object" && save.includeText;
    this.notify("textDocument/didSave", { textDocument: { uri }, ...(includeText && text !== undefined ? { text } : {}) });
  }

  private syncKind(): number {
    const sync = this.capabilities.textDocumentSync;
    if (typeof sync === "number") return sync;
    return sync?.change ?? TEXT_SYNC_NONE;
  }

  /** shutdown + exit, then the process group is killed if it lingers. */
  async stop(): Promise<void> {
    const child = this.process;
    this.state = "stopped";
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
      await Promise.race([
        (async () => {
          await this.connection?.sendRequest("shutdown");
          await this.connection?.sendNotification("exit");
        })(),
        delay(SHUTDOWN_GRACE_MS),
      ]);
    } catch {
      // A server that cannot shut down cleanly is killed below.
    }
    await Promise.race([gone, delay(SHUTDOWN_GRACE_MS)]);
    killGroup(child.pid);
  }

  /** Kills the whole process group at once (used at process exit, where nothing can wait). */
  kill(): void {
    killGroup(this.process?.pid);
  }
}

/** SIGKILL to a server's whole process group (it was spawned detached: the group is its pid). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

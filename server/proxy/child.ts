// One proxied language server: a child process spoken to over stdio with vscode-jsonrpc. It is
// initialized with the editor's params, kept in sync with the documents of its filetypes, and
// restarted with backoff when it crashes (re-initialized and re-synced), until it crashes too often.
// Every start is bounded: a server that does not answer initialize in time is stopped. One that
// never ran (no such command, exits at once, hangs, writes garbage) is given up on at once, its
// start's error saying why; the manager tells the user.
import { spawn, type ChildProcess } from "node:child_process";
import { ErrorCodes, type CancellationToken } from "vscode-jsonrpc/node";
import type { InitializeParams, InitializeResult, ServerCapabilities, TextDocumentContentChangeEvent } from "vscode-languageserver-protocol";
import type { ProxyConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { connectChild, type Wire } from "./wire.ts";

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
  /** The child's state or capabilities changed (routing follows). */
  onStateChange(child: ProxiedServer): void;
  /** A frame from the child, before it is parsed: true when the host took it (see ResyncingMessageReader). */
  onFrame(child: ProxiedServer, buf: Buffer, start: number, end: number): boolean;
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
/** How long a start waits for the initialize answer, unless the entry says (`startTimeoutMs`). */
export const START_TIMEOUT_MS = 10_000;
/** How long a failed start waits to see the process exit, to say how it ended. */
const EXIT_WAIT_MS = 500;
/** How much of the server's stderr a start-up error quotes. */
const STDERR_TAIL_CHARS = 300;

const TEXT_SYNC_FULL = 1;
const TEXT_SYNC_NONE = 0;

export class ProxiedServer {
  readonly name: string;
  readonly entry: ProxyConfig;
  capabilities: ServerCapabilities = {};
  restarts = 0;
  private current: ChildState = "idle";
  private readonly host: ChildHost;
  private process: ChildProcess | undefined;
  private wire: Wire | undefined;
  private ready: Promise<void> | undefined;
  private readonly crashes: number[] = [];
  /** It answered initialize once: a later exit is a crash (restarted), not a failed start. */
  private ran = false;
  private stderrTail = "";
  /** Documents this server was told about (didOpen sent). */
  private readonly opened = new Set<string>();

  constructor(name: string, entry: ProxyConfig, host: ChildHost) {
    this.name = name;
    this.entry = entry;
    this.host = host;
  }

  get state(): ChildState {
    return this.current;
  }

  set state(state: ChildState) {
    if (state === this.current) return;
    this.current = state;
    this.host.onStateChange(this);
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  private get connection() {
    return this.wire?.connection;
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
    this.stderrTail = "";
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    const gone = new Promise<string>((resolve) => child.once("exit", (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`)));
    const exitedEarly = gone.then((how) => Promise.reject(new StartFailure(`exited during start-up (${how})`)));
    exitedEarly.catch(() => undefined); // only raced below
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS * 4);
      this.host.log.debug({ proxy: this.name }, text.trimEnd());
    });
    child.on("exit", (code, signal) => this.exited(child, code, signal));
    try {
      await spawned;
    } catch (error) {
      this.state = "failed";
      this.process = undefined;
      throw new Error(`opencode-lsp: could not start ${this.name} (${this.entry.command.join(" ")}): ${(error as Error).message}; not using it.`);
    }

    const wire = connectChild(child, { name: this.name, log: this.host.log, onFrame: (buf, start, end) => this.host.onFrame(this, buf, start, end) });
    this.wire = wire;
    const { connection } = wire;
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
    const timeoutMs = this.entry.startTimeoutMs ?? START_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let result: InitializeResult;
    try {
      result = (await Promise.race([
        connection.sendRequest("initialize", params),
        exitedEarly,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new StartFailure(`did not answer initialize within ${timeoutMs / 1000} s`)), timeoutMs))),
      ])) as InitializeResult;
    } catch (error) {
      throw await this.startFailed(child, error, wire, gone);
    } finally {
      clearTimeout(timer);
    }
    this.capabilities = result?.capabilities ?? {};
    await connection.sendNotification("initialized", {});
    if (this.entry.settings) await connection.sendNotification("workspace/didChangeConfiguration", { settings: this.entry.settings });
    this.ran = true;
    this.state = "running";
    this.opened.clear();
    for (const doc of this.host.openDocuments()) if (this.handles(doc.languageId)) this.didOpen(doc);
    this.host.log.info({ proxy: this.name, pid: child.pid, restarts: this.restarts }, "proxied server running");
  }

  /**
   * A start that did not reach "running". A server that never ran is given up on (its process group
   * killed); a restart that fails is killed too, and its exit counts as one more crash.
   */
  private async startFailed(child: ChildProcess, error: unknown, wire: Wire, gone: Promise<string>): Promise<Error> {
    if (!this.ran && this.state !== "stopped") this.state = "failed";
    let what = (error as Error)?.message ?? String(error);
    if (!(error instanceof StartFailure)) {
      // The connection failed first (its stream closed before the exit was seen): say how it ended.
      const how = await Promise.race([gone, delay(EXIT_WAIT_MS).then(() => undefined)]);
      const code = (error as { code?: unknown })?.code;
      if (how) what = `exited during start-up (${how})`;
      else if (typeof code === "number" && code !== ErrorCodes.PendingResponseRejected) what = `refused initialize: ${what}`;
    }
    killGroup(child.pid);
    const stderr = lastLines(this.stderrTail);
    const garbage = wire.garbageBytes > 0 ? `; it wrote ${wire.garbageBytes} bytes to stdout that are not LSP frames` : "";
    return new Error(`opencode-lsp: ${this.name} ${what}${garbage}${stderr ? ` (stderr: ${stderr})` : ""}${this.ran ? "" : "; not using it"}.`);
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.process) return;
    // What the server started (tsserver…) shares its process group and may outlive it: not for long.
    killGroup(child.pid);
    this.wire?.connection.dispose();
    this.wire = undefined;
    this.process = undefined;
    this.ready = undefined;
    this.opened.clear();
    if (this.state === "stopped") return;
    this.host.onDown(this);
    if (!this.ran || this.state === "failed") {
      // Never ran (its start failed and says why), or given up on: nothing to restart.
      this.state = "failed";
      return;
    }
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

  /**
   * Writes a message as it is (a request passed through, with an id of the caller's): false when
   * the server is not running.
   */
  send(message: object): boolean {
    if (this.state !== "running" || !this.wire) return false;
    this.wire.writer.write(message as never).catch((error: unknown) => this.host.log.debug({ proxy: this.name, err: error }, "message not sent"));
    return true;
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

/** A start that failed for a reason of ours (timeout, exit), already worded. */
class StartFailure extends Error {}

/** The last line or two of a server's stderr, for a start-up error. */
function lastLines(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.slice(-2).join(" / ").slice(-STDERR_TAIL_CHARS);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

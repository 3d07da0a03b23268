// A session whose agent loop runs in a worker thread (session-worker.ts) under resource limits.
//
// The main thread keeps what a front needs while the session is idle — title, model, transcript,
// updates — so an idle session costs a few kilobytes, not a worker: the worker starts with a turn
// and stops a little after it. It answers the worker's file reads and writes from the workspace
// doc and its permission questions through the front. A worker that throws, runs out of memory or
// stops answering (watchdog) fails the session with the reason; the server and other sessions go on.
import { Worker } from "node:worker_threads";
import type { Bus } from "../bus/bus.ts";
import type { SessionUpdate } from "../bus/events.ts";
import { keepForReplay } from "./replay.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../log.ts";
import type { Message } from "../providers/types.ts";
import type { AskPermission, CommandRequest, LanguageIntel, PermissionRequest, RunCommand } from "../tools/types.ts";
import { answerIntel, INTEL_METHOD, type IntelCall } from "../proxy/intel-remote.ts";
import { answerMcp, MCP_METHOD } from "../mcp/remote.ts";
import type { McpSessionAccess } from "../mcp/types.ts";
import type { TurnResult } from "../agent/turn.ts";
import { audit, SealedTranscript, type AuditEvent } from "../privacy/index.ts";
import { Rpc } from "./rpc.ts";
import { publishTurnEnded, type PromptOptions } from "./session.ts";
import type { SessionWorkerData } from "./session-worker.ts";
import type { Workspace, WriteResult } from "./workspace.ts";

export interface WorkerLimits {
  /** Old-generation heap of the worker, MB. */
  memoryMb: number;
  /** A worker that does not answer a ping for this long is stopped. */
  watchdogMs: number;
  /** An idle worker is stopped after this long. */
  idleMs: number;
}

export const DEFAULT_LIMITS: WorkerLimits = {
  memoryMb: Number(process.env.OPENCODE_LSP_SESSION_MEMORY_MB) || 512,
  watchdogMs: Number(process.env.OPENCODE_LSP_SESSION_WATCHDOG_MS) || 30_000,
  idleMs: 30_000,
};

export interface WorkerSessionDeps {
  root: string;
  bus: Bus;
  workspace: Workspace;
  config: () => Config;
  ask?: AskPermission;
  log?: Logger;
  limits?: WorkerLimits;
  /** The proxied language servers, answered here for the worker's LSP tools. */
  intel?: LanguageIntel;
  /** The session's MCP servers (in this thread), answered here for the worker's MCP tools. */
  mcp?: McpSessionAccess;
  /** Runs the worker's bash commands here, when the front runs them itself (an ACP client's terminal). */
  runCommand?: RunCommand;
  /** Told about each write, for the session's `edit` update. */
  onWrite(session: WorkerSession, abs: string, result: WriteResult, before: string | undefined): void;
}

/**
 * Where the worker's code is: its own bundle (dist/worker/, built apart so the server's main thread
 * never loads the tools), or the .ts source in tests.
 */
const WORKER_URL = new URL(import.meta.url.endsWith(".ts") ? "./session-worker.ts" : "./worker/session-worker.js", import.meta.url);

export class WorkerSession {
  readonly id: string;
  createdAt = new Date();
  /** The model of the next turn (the worker is told with each prompt). */
  model: string;
  title: string;
  /** Between turns the transcript and its updates are sealed (AES-256-GCM, per-session key). */
  private readonly sealed: SealedTranscript<{ messages: Message[]; updates: SessionUpdate[] }>;
  /** While a turn runs (or a caller holds them), the plain transcript and updates. */
  private live: { messages: Message[]; updates: SessionUpdate[] } | undefined;
  /** Why the session can no longer run, once it failed. */
  failure: string | undefined;
  private worker: { thread: Worker; rpc: Rpc; exited: Promise<void> } | undefined;
  private running = false;
  /** Cancels what the main thread does for the running turn (permission questions, commands). */
  private turn: AbortController | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly deps: WorkerSessionDeps;
  private readonly limits: WorkerLimits;

  constructor(deps: WorkerSessionDeps, options: { id: string; model: string; title?: string }) {
    this.deps = deps;
    this.limits = deps.limits ?? DEFAULT_LIMITS;
    this.id = options.id;
    this.model = options.model;
    this.title = options.title ?? "New session";
    this.sealed = new SealedTranscript(this.id);
  }

  /** The transcript (a copy, opened from the sealed store between turns). */
  get messages(): Message[] {
    return this.live?.messages ?? this.sealed.open()?.messages ?? [];
  }

  get updates(): SessionUpdate[] {
    return this.live?.updates ?? this.sealed.open()?.updates ?? [];
  }

  get messageCount(): number {
    return this.live?.messages.length ?? this.count;
  }

  private count = 0;

  /** Adds to the transcript (restore, import) and seals it again. */
  seed(messages: Message[], updates: SessionUpdate[] = []): void {
    const current = this.live ?? this.sealed.open() ?? { messages: [], updates: [] };
    current.messages.push(...messages);
    current.updates.push(...updates);
    if (!this.live) this.seal(current);
  }

  /** The transcript as another machine left it (a shared session's turn ran there). */
  replaceMessages(messages: Message[]): void {
    if (this.live) this.live.messages = messages;
    else this.seal({ ...(this.sealed.open() ?? { updates: [] }), messages });
  }

  private seal(value: { messages: Message[]; updates: SessionUpdate[] }): void {
    this.sealed.seal(value);
    this.count = value.messages.length;
  }

  get busy(): boolean {
    return this.running;
  }

  async prompt(text: string, options: PromptOptions = {}): Promise<TurnResult> {
    if (this.failure) return failed(`session failed: ${this.failure}`);
    if (this.running) throw new Error(`session ${this.id} is already running a turn`);
    this.running = true;
    this.turn = new AbortController();
    clearTimeout(this.idleTimer);
    this.live = this.sealed.open() ?? { messages: [], updates: [] };
    let result: TurnResult | undefined;
    try {
      const { rpc } = this.start();
      const answer = await rpc.call<{ result: TurnResult; messages: Message[] }>("prompt", { text, options, model: this.model });
      this.live.messages = answer.messages;
      return (result = answer.result);
    } catch (error) {
      return (result = failed(this.failure ?? (error as Error).message));
    } finally {
      publishTurnEnded(this.deps.bus, this.id, result);
      this.seal(this.live);
      this.live = undefined;
      this.running = false;
      this.idleTimer = setTimeout(() => void this.stop(), this.limits.idleMs);
      this.idleTimer.unref();
    }
  }

  cancel(): void {
    this.turn?.abort();
    this.worker?.rpc.call("cancel").catch(() => undefined);
  }

  publish(update: SessionUpdate): void {
    if (this.live) keepForReplay(this.live.updates, update);
    else {
      const current = this.sealed.open() ?? { messages: [], updates: [] };
      keepForReplay(current.updates, update);
      this.seal(current);
    }
    this.deps.bus.publish({ type: "session.update", sessionId: this.id, update });
  }

  erase(): void {
    clearTimeout(this.idleTimer);
    void this.stop();
    this.live = undefined;
    this.sealed.erase();
    this.title = "";
  }

  /** Sends new configuration to a running worker. */
  configure(config: Config): void {
    this.worker?.rpc.call("config", config).catch(() => undefined);
  }

  private start(): { thread: Worker; rpc: Rpc } {
    if (this.worker) return this.worker;
    const data: SessionWorkerData = {
      id: this.id,
      model: this.model,
      title: this.title,
      root: this.deps.root,
      config: this.deps.config(),
      messages: this.messages,
      intel: Boolean(this.deps.intel),
      mcp: Boolean(this.deps.mcp),
      commands: Boolean(this.deps.runCommand),
    };
    const thread = new Worker(WORKER_URL, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb, maxYoungGenerationSizeMb: Math.min(64, this.limits.memoryMb / 4) },
      // stdout is the protocol channel (LSP frames, ACP lines): a worker's own writes to it (a
      // dependency's console.log) are taken here and never reach it. stderr is the log's.
      stdout: true,
      stderr: false,
    });
    thread.stdout.on("data", (chunk: Buffer) => this.deps.log?.warn({ session: this.id, bytes: chunk.length }, "a session worker wrote to stdout; dropped (stdout carries the protocol only)"));
    const rpc = new Rpc(thread);
    rpc.on("update", (update: SessionUpdate) => this.publish(update));
    rpc.on("audit", (event: AuditEvent) => audit(event));
    rpc.handle("read", ({ abs, track }: { abs: string; track: boolean }) => this.deps.workspace.read(abs, this.id, track).then((t) => t ?? null));
    rpc.handle("write", async ({ abs, text, tool }: { abs: string; text: string; tool?: string }) => {
      const before = this.deps.workspace.textOf(abs);
      const result = await this.deps.workspace.write(abs, text, this.id, tool);
      this.deps.onWrite(this, abs, result, before);
      return { created: result.created, ...(result.pending !== undefined ? { pending: result.pending } : {}) };
    });
    const intel = this.deps.intel;
    if (intel) rpc.handle(INTEL_METHOD, (call: IntelCall) => answerIntel(intel, call));
    if (this.deps.mcp) rpc.handle(MCP_METHOD, answerMcp(this.deps.mcp));
    rpc.handle("ask", (request: PermissionRequest) => (this.deps.ask ? this.deps.ask(request, this.turnSignal()) : "reject"));
    const runCommand = this.deps.runCommand;
    if (runCommand) rpc.handle("command", (request: CommandRequest) => runCommand(request, this.turnSignal()));

    let lastPong = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - lastPong > this.limits.watchdogMs) {
        this.fail(`the session stopped answering for ${Math.round(this.limits.watchdogMs / 1000)} s`);
        void thread.terminate();
        return;
      }
      rpc.call("ping").then(() => (lastPong = Date.now()), () => undefined);
    }, Math.min(1000, this.limits.watchdogMs / 4));
    watchdog.unref();

    const exited = new Promise<void>((resolve) => {
      thread.once("error", (error: Error & { code?: string }) => {
        this.fail(error.code === "ERR_WORKER_OUT_OF_MEMORY" ? `out of memory (limit ${this.limits.memoryMb} MB)` : `the session crashed: ${error.message}`);
      });
      thread.once("exit", () => {
        clearInterval(watchdog);
        rpc.failAll(this.failure ?? "the session worker stopped");
        this.worker = undefined;
        resolve();
      });
    });
    this.worker = { thread, rpc, exited };
    return this.worker;
  }

  private turnSignal(): AbortSignal {
    return this.turn?.signal ?? AbortSignal.abort();
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = reason;
    this.deps.log?.error({ session: this.id, reason }, "session failed");
    this.deps.bus.publish({ type: "notice", level: "error", message: `OpenCode session "${this.title}" failed: ${reason}` });
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker || this.running) return;
    await worker.thread.terminate();
    await worker.exited;
  }
}

function failed(error: string): TurnResult {
  return { stopReason: "error", error, errorKind: "worker", usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0 }, steps: 0 };
}

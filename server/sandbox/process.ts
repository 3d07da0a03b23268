// Run one command as a sandboxed child process: its own session and process group (detached), a cwd
// inside the workspace, a timeout, CPU, memory and process-count limits, a scrubbed environment, an
// output cap that keeps the head and the tail, and a stop when the output floods. When the command
// ends, times out or is cancelled, every process it started is killed — the ones that left its
// process group or session too (reap.ts).
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { isAbsolute, relative, resolve } from "node:path";
import type { Logger } from "../log.ts";
import { scrubEnv } from "./env.ts";
import { DEFAULT_LIMITS, withLimits, type LimitMethod, type ResourceLimits } from "./limits.ts";
import { userTaskCount } from "./proc-table.ts";
import { reapCommand, RUN_MARKER_VAR, startTimeOf } from "./reap.ts";

export interface RunOptions {
  /** The program and its arguments. Never passed through a shell by us. */
  argv: string[];
  /** Working directory; must lie inside `root`. */
  cwd: string;
  /** The workspace root that confines `cwd`. */
  root: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Output cap in bytes (stdout and stderr together, in arrival order); head and tail are kept. */
  maxOutputBytes?: number;
  /** A command that prints more than this in total is stopped (default 64 MiB). */
  floodBytes?: number;
  limits?: ResourceLimits;
  limitMethod?: LimitMethod;
  /** Extra environment variables (scrubbed like the rest). */
  env?: Record<string, string>;
  /** The environment to start from; defaults to process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Time between SIGTERM and SIGKILL on timeout or cancel. */
  killGraceMs?: number;
  logger?: Logger;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** Bytes of output produced in total, and whether some were dropped from the middle. */
  totalBytes: number;
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  /** Stopped because its output passed `floodBytes`. */
  flooded: boolean;
  durationMs: number;
  pid: number | undefined;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 30 * 1024;
export const DEFAULT_FLOOD_BYTES = 64 * 1024 * 1024;
/** Processes (tasks) a command may add to those its user runs when it starts (RLIMIT_NPROC; not for root). */
export const DEFAULT_PROCESS_BUDGET = 1024;

/** Keeps the first and last `cap / 2` bytes of a stream of chunks. */
export class HeadTailBuffer {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  total = 0;
  private readonly half: number;

  constructor(cap: number) {
    this.half = Math.max(1, Math.floor(cap / 2));
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headBytes < this.half) {
      const take = Math.min(this.half - this.headBytes, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headBytes += take;
      chunk = chunk.subarray(take);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= this.half && this.tail.length > 1) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  get truncated(): boolean {
    return this.total > this.headBytes + Math.min(this.tailBytes, this.half);
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    let tail = Buffer.concat(this.tail);
    if (!this.truncated) return head + tail.toString("utf8");
    tail = tail.subarray(tail.length - this.half);
    const omitted = this.total - this.headBytes - tail.length;
    return `${head}\n[… ${omitted} bytes of output omitted …]\n${tail.toString("utf8")}`;
  }
}

/** Whether `path` lies inside `root` (lexically). */
export function inside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The limits for one command: the process budget becomes an RLIMIT_NPROC over the user's tasks now. */
function limitsForNow(limits: ResourceLimits): ResourceLimits {
  const uid = process.getuid?.();
  if (limits.processes !== undefined || uid === undefined || uid === 0 || process.platform !== "linux") return limits;
  return { ...limits, processes: userTaskCount(uid) + DEFAULT_PROCESS_BUDGET };
}

/** Signals the whole process group; ignores a group that is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export async function runCommand(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  if (options.argv.length === 0) throw new Error("runCommand: empty argv");
  if (!inside(options.root, options.cwd)) throw new Error(`working directory ${options.cwd} is outside the workspace`);
  const base: RunResult = {
    exitCode: null,
    signal: null,
    output: "",
    totalBytes: 0,
    truncated: false,
    timedOut: false,
    cancelled: false,
    flooded: false,
    durationMs: 0,
    pid: undefined,
  };
  if (options.signal?.aborted) return { ...base, cancelled: true };

  const argv = withLimits(options.argv, limitsForNow(options.limits ?? DEFAULT_LIMITS), options.limitMethod);
  const buffer = new HeadTailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const floodBytes = options.floodBytes ?? DEFAULT_FLOOD_BYTES;
  const marker = randomUUID();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const grace = options.killGraceMs ?? 2_000;

  return await new Promise<RunResult>((resolvePromise) => {
    let timedOut = false;
    let cancelled = false;
    let flooded = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let killTimer: NodeJS.Timeout | undefined;

    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: scrubEnv(options.baseEnv ?? process.env, { ...options.env, [RUN_MARKER_VAR]: marker }),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const pid = child.pid;
    const identity = pid === undefined ? undefined : { pid, marker, start: startTimeOf(pid), startedMs: Date.now() };
    let reaped = false;
    const reap = () => {
      if (!identity || reaped) return;
      reaped = true;
      const killed = reapCommand(identity);
      if (killed > 0) options.logger?.debug({ pid, killed }, "sandbox: killed what the command left running");
    };

    const stop = (why: "timeout" | "cancel" | "flood") => {
      if (timedOut || cancelled || flooded) return;
      if (why === "timeout") timedOut = true;
      else if (why === "cancel") cancelled = true;
      else flooded = true;
      options.logger?.debug({ pid, why }, "sandbox: stopping process group");
      killGroup(pid, "SIGTERM");
      killTimer ??= setTimeout(() => killGroup(pid, "SIGKILL"), grace);
      killTimer.unref?.();
    };
    const timer = setTimeout(() => stop("timeout"), timeoutMs);
    const onAbort = () => stop("cancel");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const onData = (chunk: Buffer) => {
      buffer.push(chunk);
      if (buffer.total > floodBytes) stop("flood");
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);

    const finish = (spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      // Whatever the leader left behind goes with it.
      reap();
      let output = buffer.toString();
      if (spawnError) output += `${output ? "\n" : ""}failed to start ${options.argv[0]}: ${spawnError.message}`;
      resolvePromise({
        exitCode,
        signal: exitSignal,
        output,
        totalBytes: buffer.total,
        truncated: buffer.truncated,
        timedOut,
        cancelled,
        flooded,
        durationMs: performance.now() - started,
        pid,
      });
    };

    let exited = false;
    let closed = false;
    child.on("error", (error) => finish(error));
    child.on("close", () => {
      closed = true;
      if (exited) finish();
    });
    child.on("exit", (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      // Background children may hold the pipes open: kill them now, then let the pipes drain.
      reap();
      if (closed) return finish();
      const drain = setTimeout(() => finish(), 1_000);
      drain.unref?.();
    });
  });
}

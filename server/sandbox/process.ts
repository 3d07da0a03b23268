// Run one command as a sandboxed child process: its own process group (detached), a cwd inside the
// workspace, a timeout, CPU and memory limits, a scrubbed environment, and an output cap that keeps
// the head and the tail. When the command ends, times out or is cancelled, the whole process group is
// killed: nothing it started is left running (a process that calls setsid() itself escapes the group;
// containing those needs cgroups, which we do not assume).
import { spawn } from "node:child_process";
import { isAbsolute, relative, resolve } from "node:path";
import type { Logger } from "../log.ts";
import { scrubEnv } from "./env.ts";
import { DEFAULT_LIMITS, withLimits, type LimitMethod, type ResourceLimits } from "./limits.ts";

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
  durationMs: number;
  pid: number | undefined;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 30 * 1024;

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
    durationMs: 0,
    pid: undefined,
  };
  if (options.signal?.aborted) return { ...base, cancelled: true };

  const argv = withLimits(options.argv, options.limits ?? DEFAULT_LIMITS, options.limitMethod);
  const buffer = new HeadTailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const grace = options.killGraceMs ?? 2_000;

  return await new Promise<RunResult>((resolvePromise) => {
    let timedOut = false;
    let cancelled = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let killTimer: NodeJS.Timeout | undefined;

    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: scrubEnv(options.baseEnv ?? process.env, options.env),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const pid = child.pid;

    const stop = (why: "timeout" | "cancel") => {
      if (why === "timeout") timedOut = true;
      else cancelled = true;
      options.logger?.debug({ pid, why }, "sandbox: stopping process group");
      killGroup(pid, "SIGTERM");
      killTimer ??= setTimeout(() => killGroup(pid, "SIGKILL"), grace);
      killTimer.unref?.();
    };
    const timer = setTimeout(() => stop("timeout"), timeoutMs);
    const onAbort = () => stop("cancel");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => buffer.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => buffer.push(chunk));

    const finish = (spawnError?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      // Whatever the leader left behind in its group goes with it.
      killGroup(pid, "SIGKILL");
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
      // Background children may hold the pipes open: kill the group now, then let the pipes drain.
      killGroup(pid, "SIGKILL");
      if (closed) return finish();
      const drain = setTimeout(() => finish(), 1_000);
      drain.unref?.();
    });
  });
}

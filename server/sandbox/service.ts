// A long-lived sandboxed child (an MCP server, say), where process.ts runs one command to its end:
// its own process group (detached), a cwd inside the workspace, a scrubbed environment plus the
// variables its owner configured explicitly, memory and file-size limits (no CPU-time limit: it may
// live for hours), stdio pipes. Stopping it signals the whole group, SIGTERM then SIGKILL; every
// group still alive when this process exits is killed (the exit hook), also when a signal ends it
// (SIGTERM, SIGHUP, SIGINT: the groups are killed, then the signal does what it would have done).
// Only SIGKILL of this process leaves them running: nothing can be done then.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { scrubEnv } from "./env.ts";
import { DEFAULT_LIMITS, withLimits, type LimitMethod, type ResourceLimits } from "./limits.ts";
import { inside, killGroup } from "./process.ts";

export interface ServiceOptions {
  argv: string[];
  cwd: string;
  /** The workspace root that confines `cwd`. */
  root: string;
  /** Variables its owner set on purpose (a server's configured `environment`): passed as they are. */
  env?: Record<string, string>;
  /** The environment to scrub and start from; defaults to process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Defaults to DEFAULT_LIMITS' memory and file size, without a CPU-time limit. */
  limits?: ResourceLimits;
  limitMethod?: LimitMethod;
}

export interface Service {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number | undefined;
  /** Resolves with how it ended (also when it never started: code null, the error). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader is gone. */
  stop(graceMs?: number): Promise<void>;
}

const SERVICE_LIMITS: ResourceLimits = { memoryBytes: DEFAULT_LIMITS.memoryBytes, fileSizeBytes: DEFAULT_LIMITS.fileSizeBytes };

/** Process groups of services still running. */
const live = new Set<number>();
let exitHook = false;

function killAll(): void {
  for (const pid of live) killGroup(pid, "SIGKILL");
}

function watchExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on("exit", killAll);
  for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) {
    process.once(signal, () => {
      killAll();
      // No one else handles it: the default action (ending the process), as if we had not listened.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

export function spawnService(options: ServiceOptions): Service {
  if (options.argv.length === 0) throw new Error("spawnService: empty argv");
  if (!inside(options.root, options.cwd)) throw new Error(`working directory ${options.cwd} is outside the workspace`);
  const argv = withLimits(options.argv, options.limits ?? SERVICE_LIMITS, options.limitMethod);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: { ...scrubEnv(options.baseEnv ?? process.env), ...options.env },
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  const pid = child.pid;
  if (pid !== undefined) {
    watchExit();
    live.add(pid);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once("error", (error) => {
      if (pid === undefined) resolve({ code: null, signal: null, error });
    });
    child.once("exit", (code, signal) => {
      // What the leader left behind in its group goes with it.
      if (pid !== undefined) {
        killGroup(pid, "SIGKILL");
        live.delete(pid);
      }
      resolve({ code, signal });
    });
  });
  return {
    child,
    pid,
    exited,
    async stop(graceMs = 2_000) {
      if (pid === undefined || !live.has(pid)) return void (await exited);
      killGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killGroup(pid, "SIGKILL"), graceMs);
      timer.unref();
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Process groups of services alive now (tests, diagnostics). */
export function liveServices(): number[] {
  return [...live];
}

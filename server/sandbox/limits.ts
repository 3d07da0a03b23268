// CPU and memory limits for sandboxed commands: prlimit(1) from util-linux when it is on PATH,
// otherwise bash's `ulimit` in a tiny wrapper. Either way the user's argv is passed through as argv
// elements, never spliced into a string.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface ResourceLimits {
  /** RLIMIT_CPU, seconds of CPU time per process. */
  cpuSeconds?: number;
  /**
   * RLIMIT_DATA, bytes (heap and private writable mappings). RLIMIT_AS is not used: runtimes such as
   * V8 and Go reserve large address ranges they never touch, and fail under an address-space limit.
   */
  memoryBytes?: number;
  /** RLIMIT_FSIZE, bytes: the largest file a command may write. */
  fileSizeBytes?: number;
  /**
   * RLIMIT_NPROC: the most processes (tasks) the user may run while the command runs; a fork past it
   * fails. Counts all of the user's tasks, and the kernel ignores it for root.
   */
  processes?: number;
}

export const DEFAULT_LIMITS: Required<Omit<ResourceLimits, "processes">> = {
  cpuSeconds: 600,
  memoryBytes: 4 * 1024 ** 3,
  fileSizeBytes: 1024 ** 3,
};

const found = new Map<string, string | null>();

/** The absolute path of an executable on PATH, or null. Cached per name and PATH. */
export function which(name: string, pathEnv: string = process.env.PATH ?? ""): string | null {
  const key = `${name}\0${pathEnv}`;
  const cached = found.get(key);
  if (cached !== undefined) return cached;
  let result: string | null = null;
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      result = candidate;
      break;
    } catch {
      // not here
    }
  }
  found.set(key, result);
  return result;
}

export type LimitMethod = "prlimit" | "ulimit" | "none";

/** Wraps argv so that the command runs under the limits. The wrapper `exec`s, keeping the pid. */
export function withLimits(argv: string[], limits: ResourceLimits, method: LimitMethod = detectLimitMethod()): string[] {
  const cpu = limits.cpuSeconds;
  const mem = limits.memoryBytes;
  const fsize = limits.fileSizeBytes;
  const nproc = limits.processes;
  if (method === "none" || (cpu === undefined && mem === undefined && fsize === undefined && nproc === undefined)) return argv;
  if (method === "prlimit") {
    const flags: string[] = [];
    if (cpu !== undefined) flags.push(`--cpu=${Math.max(1, Math.ceil(cpu))}`);
    if (mem !== undefined) flags.push(`--data=${Math.floor(mem)}`);
    if (fsize !== undefined) flags.push(`--fsize=${Math.floor(fsize)}`);
    if (nproc !== undefined) flags.push(`--nproc=${Math.max(1, Math.floor(nproc))}`);
    return [which("prlimit") ?? "prlimit", ...flags, "--", ...argv];
  }
  // ulimit: the limits are positional parameters of a fixed script ("-": leave that one as it is);
  // argv follows them untouched.
  const script =
    'lim() { [ "$2" = - ] || ulimit "$1" "$2"; }; lim -t "$1" && lim -d "$2" && lim -f "$3" && lim -u "$4" && shift 4 && exec "$@"';
  return [
    which("bash") ?? "/bin/bash",
    "-c",
    script,
    "sandbox-limits",
    cpu === undefined ? "-" : String(Math.max(1, Math.ceil(cpu))),
    mem === undefined ? "-" : String(Math.floor(mem / 1024)),
    // ulimit -f counts 512-byte blocks in POSIX mode and 1024-byte blocks in bash.
    fsize === undefined ? "-" : String(Math.floor(fsize / 1024)),
    nproc === undefined ? "-" : String(Math.max(1, Math.floor(nproc))),
    ...argv,
  ];
}

export function detectLimitMethod(): LimitMethod {
  if (process.platform !== "linux" && process.platform !== "darwin") return "none";
  if (process.platform === "linux" && which("prlimit")) return "prlimit";
  return which("bash") ? "ulimit" : "none";
}

// Everything a sandboxed command started goes when the command ends. Killing its process group is
// not enough: `setsid`, `set -m` (job control gives each job its own group), `setsid -f` and a
// double fork that lands the grandchild with init all leave it. cgroups are not assumed, and
// PR_SET_CHILD_SUBREAPER is out of Node's reach, so the command's processes are found in /proc:
//   - its session: the command starts as a session leader (spawn `detached`), so everything it
//     starts without setsid() has its session id;
//   - a marker variable (RUN_MARKER_VAR, unique per command) in the environment it was started with,
//     which every descendant inherits unless it clears its environment (`env -i`, `exec -c`);
//   - the parent chain: a child of one of those, whatever its environment.
// Only processes started after the command are considered. Each round stops (SIGSTOP) what it
// finds, so nothing forks or is reparented while the tree is walked, until a round finds nothing
// new; then all of it is killed. Only pids handed out since the command started are read (see
// candidatePids). What escapes: a process that leaves the session AND clears its
// environment AND is orphaned before the command ends (docs/tools.md, "Sandbox").
import { allPids, environHas, lastPid, readStat } from "./proc-table.ts";

export const RUN_MARKER_VAR = "OPENCODE_SANDBOX_RUN";

export interface CommandIdentity {
  /** The command's first process (a session and group leader). */
  pid: number;
  /** Its RUN_MARKER_VAR value. */
  marker: string;
  /** Its start time in clock ticks after boot (readStat), taken when it started. */
  start?: number;
  /** When it started (Date.now()): past PID_WRAP_MS every process is read, not just the younger pids. */
  startedMs?: number;
}

/** A command older than this may have seen the pid numbers wrap all the way round. */
const PID_WRAP_MS = 5_000;

/**
 * The pids that may belong to the command: Linux hands pids out in increasing order (wrapping at
 * pid_max), so what the command started lies after its leader up to the last pid handed out
 * (/proc/loadavg). Reading only those keeps a scan to the few processes started since, instead of
 * every process of the machine; a long command gets the full list.
 */
function candidatePids(command: CommandIdentity): number[] {
  const pids = allPids().filter((pid) => pid !== process.pid);
  const last = lastPid();
  if (last === undefined || command.startedMs === undefined || Date.now() - command.startedMs > PID_WRAP_MS) return pids;
  return last >= command.pid ? pids.filter((pid) => pid >= command.pid && pid <= last) : pids.filter((pid) => pid >= command.pid || pid <= last);
}

/** The start time of `pid` (clock ticks after boot), to remember with the command. */
export function startTimeOf(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : readStat(pid)?.start;
}

/** The processes of the command that are alive now. */
export function findCommandProcesses(command: CommandIdentity, known: Set<number> = new Set()): number[] {
  if (process.platform !== "linux") return [];
  const needle = Buffer.from(`${RUN_MARKER_VAR}=${command.marker}`);
  const stats = candidatePids(command)
    .map(readStat)
    .filter((s): s is NonNullable<typeof s> => s !== undefined && s.state !== "Z" && s.state !== "X" && (command.start === undefined || s.start >= command.start));
  const found = new Set<number>();
  for (const s of stats) {
    if (known.has(s.pid) || s.pid === command.pid || s.sid === command.pid || s.pgid === command.pid || environHas(s.pid, needle)) found.add(s.pid);
  }
  // Children of what was found, by the parent chain (those that cleared their environment).
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of stats) {
      if (!found.has(s.pid) && found.has(s.ppid)) {
        found.add(s.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/**
 * Stops, then kills, every process of the command (the process group first, for platforms
 * without /proc). Returns how many processes were killed. Bounded: at most `maxRounds` scans.
 */
export function reapCommand(command: CommandIdentity, maxRounds = 50): number {
  try {
    process.kill(-command.pid, "SIGKILL");
  } catch {
    // the group is gone
  }
  const frozen = new Set<number>();
  for (let round = 0; round < maxRounds; round++) {
    const fresh = findCommandProcesses(command, frozen).filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, "SIGSTOP");
      frozen.add(pid);
    }
  }
  for (const pid of frozen) signal(pid, "SIGKILL");
  return frozen.size;
}

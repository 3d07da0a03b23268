// Reading the Linux process table (/proc): each process's parent, group, session and start time,
// and how many tasks a user runs. Empty answers elsewhere.
import { readdirSync, readFileSync, statSync } from "node:fs";

export interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** R, S, D, T, Z (zombie), X (dead), ... */
  state: string;
  threads: number;
  /** Clock ticks after boot. */
  start: number;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session ... num_threads(20) ... starttime(22)": comm may hold spaces and parentheses.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), sid: Number(f[3]), threads: Number(f[17]), start: Number(f[19]) };
}

export function allPids(): number[] {
  try {
    return readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}

/** The pid most recently handed out (the last field of /proc/loadavg), in this pid namespace. */
export function lastPid(): number | undefined {
  try {
    const last = Number(readFileSync("/proc/loadavg", "latin1").trim().split(" ").pop());
    return Number.isInteger(last) && last > 0 ? last : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the environment `pid` was started with holds `needle` (bytes, NUL-delimited entries). */
export function environHas(pid: number, needle: Buffer): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`).indexOf(needle) >= 0;
  } catch {
    return false;
  }
}

/** Tasks (threads) the user runs now: what RLIMIT_NPROC counts. */
export function userTaskCount(uid: number): number {
  let count = 0;
  for (const pid of allPids()) {
    try {
      if (statSync(`/proc/${pid}`).uid !== uid) continue;
    } catch {
      continue;
    }
    count += readStat(pid)?.threads ?? 1;
  }
  return count;
}

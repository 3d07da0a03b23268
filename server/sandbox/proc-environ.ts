// Secrets out of /proc/<server pid>/environ. A sandboxed command runs as the same user as the
// server, and /proc/<pid>/environ of a same-user process is readable (`cat /proc/$PPID/environ`):
// it shows the environment the server was started with, API keys included, whatever the command's
// own (scrubbed) environment holds. Unsetting a variable does not change that file, which reads
// the original block of memory the kernel laid out at exec. So, once, at start-up: every
// secret-looking variable is first copied into the C library's own memory (`process.env.X =
// process.env.X` makes setenv(3) allocate a fresh copy, so the server keeps the value), then its
// value in the original block is overwritten through /proc/self/mem. Linux only; elsewhere, or
// where the kernel refuses the write, nothing changes and the reason is returned for the log.
// The environment of the editor that started the server is out of reach: see docs/tools.md ("Sandbox").
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { isSecretName } from "./env.ts";

export interface HideResult {
  /** Names whose values no longer show in /proc/<pid>/environ. */
  hidden: string[];
  /** Why nothing could be done, when that is the case. */
  skipped?: string;
}

/** The start and end address of the process's original environment block (fields 50–51 of /proc/self/stat). */
function environBlock(): { start: number; end: number } {
  const stat = readFileSync("/proc/self/stat", "utf8");
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { start: Number(fields[47]), end: Number(fields[48]) };
}

export function hideSecretsFromProcEnviron(isSecret: (name: string) => boolean = isSecretName): HideResult {
  if (process.platform !== "linux") return { hidden: [], skipped: `not Linux (${process.platform})` };
  let block: { start: number; end: number };
  let environ: Buffer;
  try {
    block = environBlock();
    environ = readFileSync("/proc/self/environ");
  } catch (error) {
    return { hidden: [], skipped: (error as Error).message };
  }
  if (!(block.start > 0) || block.end - block.start !== environ.length) return { hidden: [], skipped: "the environment block is not where /proc/self/stat says" };
  const targets: { name: string; at: number; length: number }[] = [];
  let offset = 0;
  for (const entry of environ.toString("latin1").split("\0")) {
    const eq = entry.indexOf("=");
    const name = eq > 0 ? entry.slice(0, eq) : "";
    if (name && isSecret(name) && eq + 1 < entry.length) targets.push({ name, at: block.start + offset + eq + 1, length: entry.length - eq - 1 });
    offset += entry.length + 1;
  }
  if (targets.length === 0) return { hidden: [] };
  for (const { name } of targets) {
    const value = process.env[name];
    if (value !== undefined) process.env[name] = value; // a copy the server keeps, off the original block
  }
  const hidden: string[] = [];
  let fd: number | undefined;
  try {
    fd = openSync("/proc/self/mem", "r+");
    for (const target of targets) {
      // Positions as numbers: user-space addresses fit in 47 bits (a bigint position fails with EIO).
      writeSync(fd, Buffer.alloc(target.length, "x"), 0, target.length, target.at);
      hidden.push(target.name);
    }
  } catch (error) {
    return { hidden, skipped: `writing /proc/self/mem failed: ${(error as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return { hidden };
}

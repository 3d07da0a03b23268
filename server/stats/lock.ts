// A lock file beside a file several processes update (every editor runs its own server): created
// with O_EXCL, removed after. A lock left by a process that died is taken over once it is stale.
import { closeSync, openSync, rmSync, statSync, writeSync } from "node:fs";

const STALE_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `fn` holding `${path}.lock`; throws if the lock stays taken for `timeoutMs`. */
export function withFileLock<T>(path: string, fn: () => T, timeoutMs = 3000): T {
  const lock = `${path}.lock`;
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lock, "wx", 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (isStale(lock)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lock} is held by another process`);
      else Atomics.wait(sleeper, 0, 0, 10);
    }
  }
  try {
    writeSync(fd, String(process.pid));
    return fn();
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > STALE_MS;
  } catch {
    return false; // just released: try again
  }
}

// Sandbox: what a command costs through runCommand (limits wrapper, scrubbed environment, and the
// /proc scan that kills whatever it left running) against spawning the same `bash -c true`
// directly, interleaved in the same run; the scan alone; hiding secrets from /proc/<pid>/environ at
// start-up.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { which } from "../server/sandbox/limits.ts";
import { runCommand } from "../server/sandbox/process.ts";
import { hideSecretsFromProcEnviron } from "../server/sandbox/proc-environ.ts";
import { allPids, lastPid } from "../server/sandbox/proc-table.ts";
import { findCommandProcesses, startTimeOf } from "../server/sandbox/reap.ts";
import { median, percentiles } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "sandbox: bash through runCommand vs spawned directly, the reaping scan";

const ROUNDS = 40;

function direct(bash: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bash, ["-c", "true"], { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

export async function run(): Promise<BenchRow[]> {
  const bash = which("bash") ?? "/bin/bash";
  const root = mkdtempSync(join(tmpdir(), "opencode-bench-sandbox-"));
  try {
    const plain: number[] = [];
    const sandboxed: number[] = [];
    await direct(bash, root);
    await runCommand({ argv: [bash, "-c", "true"], cwd: root, root });
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await direct(bash, root);
      plain.push(performance.now() - t);
      t = performance.now();
      await runCommand({ argv: [bash, "-c", "true"], cwd: root, root });
      sandboxed.push(performance.now() - t);
    }
    // A command that has just ended (only the pids since it are read), and one past the wrap
    // guard (every process is read).
    const scans: number[] = [];
    const fullScans: number[] = [];
    const recent = { pid: lastPid() ?? process.pid, marker: "bench", start: startTimeOf(process.pid) ?? 0, startedMs: Date.now() };
    const old = { ...recent, startedMs: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      findCommandProcesses(recent);
      scans.push(performance.now() - t);
      t = performance.now();
      findCommandProcesses(old);
      fullScans.push(performance.now() - t);
    }
    const t = performance.now();
    hideSecretsFromProcEnviron();
    const hide = performance.now() - t;
    return [
      { name: "bash -c true, spawned directly (baseline)", value: percentiles(plain) },
      { name: "bash -c true through runCommand", value: percentiles(sandboxed) },
      { name: "runCommand / direct, p50", value: `${(median(sandboxed) / median(plain)).toFixed(2)}x` },
      { name: "reaping scan, a command that just ended (pids since it)", value: percentiles(scans) },
      { name: `reaping scan, every process (${allPids().length}; commands over 5 s)`, value: percentiles(fullScans) },
      { name: "hiding secrets from /proc/<pid>/environ (once, at start-up)", value: `${hide.toFixed(3)} ms` },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

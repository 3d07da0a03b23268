import { spawn } from "node:child_process";
import { describe, expect, it, onTestFinished } from "vitest";
import { findCommandProcesses, reapCommand, RUN_MARKER_VAR, startTimeOf } from "../../../server/sandbox/reap.ts";
import { isAlive, waitFor } from "../../support/tools/workspace.ts";

/** A command (a session leader, as runCommand starts it) that leaves a setsid'd child and exits. */
async function leaveOrphan(marker: string): Promise<{ leader: number; orphan: number; start: number | undefined }> {
  const child = spawn("bash", ["-c", "setsid sleep 60 >/dev/null & echo $!; sleep 0.2"], { detached: true, stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, [RUN_MARKER_VAR]: marker } });
  const start = startTimeOf(child.pid);
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  return { leader: child.pid!, orphan: Number(out.trim()), start };
}

describe.skipIf(process.platform !== "linux")("reaping a command's processes", () => {
  it("finds an orphan that left the session, reading only younger pids or every process, and kills it", async () => {
    const { leader, orphan, start } = await leaveOrphan("reap-test-1");
    onTestFinished(() => {
      if (isAlive(orphan)) process.kill(orphan, "SIGKILL");
    });
    expect(isAlive(orphan)).toBe(true);
    const identity = { pid: leader, marker: "reap-test-1", start };
    expect(findCommandProcesses({ ...identity, startedMs: Date.now() })).toEqual([orphan]);
    expect(findCommandProcesses({ ...identity, startedMs: 0 })).toEqual([orphan]);
    expect(findCommandProcesses({ ...identity, marker: "another-command", startedMs: 0 })).toEqual([]);
    expect(reapCommand({ ...identity, startedMs: Date.now() })).toBe(1);
    expect(await waitFor(() => !isAlive(orphan), 2000)).toBe(true);
  });
});

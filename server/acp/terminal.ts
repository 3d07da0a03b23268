// bash in the client's terminal (terminal/*), when the client offers it: the command runs where the
// user sees it (the tool call shows the live terminal), with the tool's timeout and cancellation
// (terminal/kill), its output capped by the client (outputByteLimit), and the terminal released.
import type * as acp from "@agentclientprotocol/sdk";
import type { CommandOutcome, RunCommand } from "../tools/types.ts";

export interface TerminalDeps {
  client: () => acp.AgentContext;
  sessionId: string;
  /** The command of tool call `callId` runs in terminal `terminalId` (shown with the call). */
  started(callId: string | undefined, terminalId: string): void;
}

export function runInClientTerminal(deps: TerminalDeps): RunCommand {
  return async (request, signal): Promise<CommandOutcome> => {
    const startedAt = performance.now();
    const outcome = { exitCode: null, signal: null, output: "", totalBytes: 0, truncated: false, timedOut: false, cancelled: false, flooded: false, durationMs: 0 };
    if (signal.aborted) return { ...outcome, cancelled: true };
    const terminal = await deps.client().createTerminal({
      sessionId: deps.sessionId,
      command: "bash",
      args: ["-c", request.command],
      cwd: request.cwd,
      outputByteLimit: request.maxOutputBytes,
    });
    deps.started(request.callId, terminal.id);
    let timedOut = false;
    let cancelled = false;
    const kill = () => void terminal.kill().catch(() => undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      kill();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const exit = await terminal.waitForExit();
      const { output, truncated } = await terminal.currentOutput();
      return {
        flooded: false, // the client's terminal keeps its own output limit (outputByteLimit)
        exitCode: exit.exitCode ?? null,
        signal: (exit.signal ?? null) as NodeJS.Signals | null,
        output,
        totalBytes: Buffer.byteLength(output),
        truncated,
        timedOut,
        cancelled,
        durationMs: performance.now() - startedAt,
      };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      await terminal.release().catch(() => undefined);
    }
  };
}

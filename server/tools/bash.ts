// bash: run a shell command in the sandbox. The command is one argv element of `bash -c`; nothing
// of it is interpolated into any string we build.
import { z } from "zod";
import { runCommand } from "../sandbox/process.ts";
import { which, type ResourceLimits } from "../sandbox/limits.ts";
import { capLinesHeadTail } from "./output.ts";
import { defineTool, fail, ok, type Tool } from "./types.ts";

export const BASH_DEFAULT_TIMEOUT_MS = 120_000;
export const BASH_MAX_TIMEOUT_MS = 600_000;
export const BASH_MAX_OUTPUT_BYTES = 30 * 1024;
export const BASH_MAX_OUTPUT_LINES = 1_000;

const schema = z.object({
  command: z.string().min(1).describe("The command line, run with bash -c"),
  timeout: z.number().int().min(1).max(BASH_MAX_TIMEOUT_MS).optional().describe(`Timeout in milliseconds (default ${BASH_DEFAULT_TIMEOUT_MS}, max ${BASH_MAX_TIMEOUT_MS})`),
  workdir: z.string().optional().describe("Working directory relative to the workspace root (default: the root)"),
  description: z.string().optional().describe("A few words saying what the command does"),
});

export interface BashToolOptions {
  limits?: ResourceLimits;
  maxOutputBytes?: number;
  defaultTimeoutMs?: number;
  /** Extra variables for the command's environment (secrets are still scrubbed). */
  env?: Record<string, string>;
  killGraceMs?: number;
  /** Output past which the command is stopped (default the sandbox's 64 MiB). */
  floodBytes?: number;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.floor(bytes / 1024 / 1024)} MiB` : `${Math.floor(bytes / 1024)} KiB`;
}

export function bashTool(options: BashToolOptions = {}): Tool<typeof schema> {
  return defineTool({
    name: "bash",
    description: `Run a shell command (bash -c) in the workspace, in a sandbox: its own session, a timeout (default ${(options.defaultTimeoutMs ?? BASH_DEFAULT_TIMEOUT_MS) / 1000} s), CPU, memory and process limits, no API keys or tokens in its environment, no stdin. Output (stdout and stderr together) is capped at ${Math.round((options.maxOutputBytes ?? BASH_MAX_OUTPUT_BYTES) / 1024)} KiB keeping the start and the end. Every process the command starts, in the background too (&, nohup, setsid), is killed when it ends: do not start servers or watchers meant to keep running. Use the read/grep/glob/list tools rather than cat/grep/find.`,
    schema,
    title: (input) => input.description ?? input.command,
    permissions: (input) => [{ kind: "bash", subject: input.command }],
    async run(input, ctx) {
      const cwd = await ctx.files.resolve(input.workdir ?? ".");
      const stat = await ctx.files.stat(cwd.rel);
      if (!stat || stat.type !== "directory") return fail(`Working directory ${cwd.rel} does not exist or is not a directory.`);
      const timeoutMs = input.timeout ?? options.defaultTimeoutMs ?? BASH_DEFAULT_TIMEOUT_MS;
      const maxOutputBytes = options.maxOutputBytes ?? BASH_MAX_OUTPUT_BYTES;
      // A front that runs commands itself (an ACP client's terminal) gets the command line; else the sandbox.
      const result = ctx.runCommand
        ? await ctx.runCommand({ command: input.command, cwd: cwd.abs, timeoutMs, maxOutputBytes, ...(ctx.callId ? { callId: ctx.callId } : {}) }, ctx.signal)
        : await runCommand({
            argv: [which("bash") ?? "/bin/bash", "-c", input.command],
            cwd: cwd.abs,
            root: ctx.root,
            timeoutMs,
            signal: ctx.signal,
            maxOutputBytes,
            ...(options.limits ? { limits: options.limits } : {}),
            ...(options.env ? { env: options.env } : {}),
            ...(options.killGraceMs !== undefined ? { killGraceMs: options.killGraceMs } : {}),
            ...(options.floodBytes !== undefined ? { floodBytes: options.floodBytes } : {}),
            ...(ctx.logger ? { logger: ctx.logger } : {}),
          });
      const byLines = capLinesHeadTail(result.output.trimEnd(), BASH_MAX_OUTPUT_LINES);
      const metadata = {
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        cancelled: result.cancelled,
        flooded: result.flooded,
        truncated: result.truncated || byLines.truncated,
        durationMs: Math.round(result.durationMs),
      };
      const body = byLines.text || "(no output)";
      const cut =
        result.truncated || byLines.truncated
          ? `\n[output capped at ${Math.round(maxOutputBytes / 1024)} KiB / ${BASH_MAX_OUTPUT_LINES} lines: ${result.totalBytes} bytes in total, the middle was cut]`
          : "";
      if (result.cancelled) return fail(`Command cancelled; its process group was killed.\n${body}${cut}`, metadata);
      if (result.timedOut) return fail(`Command timed out after ${timeoutMs} ms; its process group was killed.\n${body}${cut}`, metadata);
      if (result.flooded) return fail(`Command stopped: its output passed ${formatBytes(result.totalBytes)}; its processes were killed. Send long output to a file and read parts of it.\n${body}${cut}`, metadata);
      const status = result.exitCode === null ? `killed by signal ${result.signal}` : `exit code ${result.exitCode}`;
      return ok(`${body}${cut}\n[${status}]`, metadata);
    },
  });
}

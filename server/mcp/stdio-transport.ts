// The MCP stdio transport for a local server started through our sandbox (scrubbed environment
// plus the entry's, its own process group, memory limits, killed with us). The SDK's
// StdioClientTransport spawns the child itself, without a process group or limits; this is the same
// transport over a sandboxed child, framed by the SDK's own ReadBuffer and serializeMessage.
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../log.ts";
import { spawnService, type Service } from "../sandbox/service.ts";

export interface SandboxedStdioOptions {
  argv: string[];
  /** The workspace root: the server's working directory. */
  root: string;
  /** The entry's `environment`, passed as configured. */
  env?: Record<string, string>;
  log?: Logger;
  name: string;
}

const STDERR_TAIL = 2_000;
const STOP_GRACE_MS = 1_500;

export class SandboxedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly options: SandboxedStdioOptions;
  private readonly buffer = new ReadBuffer();
  private service: Service | undefined;
  private stderrTail = "";
  /** How the child ended, once it did ("exited with code 1: <stderr>"). */
  exitReason: string | undefined;

  constructor(options: SandboxedStdioOptions) {
    this.options = options;
  }

  get pid(): number | undefined {
    return this.service?.pid;
  }

  async start(): Promise<void> {
    if (this.service) throw new Error("already started");
    const { argv, root, env, log, name } = this.options;
    const service = spawnService({ argv, cwd: root, root, ...(env ? { env } : {}) });
    this.service = service;
    const { child } = service;
    child.stdout.on("data", (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
        for (let message = this.buffer.readMessage(); message; message = this.buffer.readMessage()) this.onmessage?.(message);
      } catch (error) {
        this.onerror?.(error as Error);
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL);
      log?.debug({ mcp: name }, text.trimEnd());
    });
    child.stdin.on("error", (error) => this.onerror?.(error));
    void service.exited.then(({ code, signal, error }) => {
      const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
      this.exitReason = error ? `could not start ${argv[0]}: ${error.message}` : `exited${code !== null ? ` with code ${code}` : ` on ${signal}`}${tail ? `: ${tail}` : ""}`;
      this.buffer.clear();
      this.onclose?.();
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.service?.child.stdin;
    if (!stdin || stdin.destroyed) throw new Error("not connected");
    if (!stdin.write(serializeMessage(message))) await new Promise<void>((resolve) => stdin.once("drain", resolve));
  }

  /** Ends stdin (servers exit on EOF), then stops the process group. */
  async close(): Promise<void> {
    const service = this.service;
    if (!service) return;
    service.child.stdin.end();
    await service.stop(STOP_GRACE_MS);
  }
}

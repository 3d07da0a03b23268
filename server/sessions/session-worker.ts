// The worker that runs one session's agent loop (DESIGN.md "Isolation"). The model client, the
// tools and the loop live here, under the worker's resource limits; file reads and writes go to
// the main thread's workspace doc, permission questions to the front, updates to the bus there.
import { parentPort, workerData } from "node:worker_threads";
import { Bus } from "../bus/bus.ts";
import { forwardAuditTo } from "../privacy/audit.ts";
import { createLogger } from "../log.ts";
import type { Config } from "../config/index.ts";
import { createModelClient } from "../providers/index.ts";
import type { Message } from "../providers/types.ts";
import { builtinTools, DiskWorkspaceFiles, ToolRegistry, type CommandOutcome, type CommandRequest, type PermissionRequest, type PermissionOutcome } from "../tools/index.ts";
import { mcpTools } from "../tools/mcp-tools.ts";
import type { DirEntry, FileStat, WorkspaceFiles, WriteOutcome } from "../tools/workspace-files.ts";
import type { ResolvedPath } from "../tools/paths.ts";
import { INTEL_METHOD, RemoteIntel } from "../proxy/intel-remote.ts";
import { MCP_METHOD, RemoteMcp } from "../mcp/remote.ts";
import { Rpc } from "./rpc.ts";
import { Session, type PromptOptions } from "./session.ts";

export interface SessionWorkerData {
  id: string;
  model: string;
  title: string;
  root: string;
  config: Config;
  messages: Message[];
  /** The main thread answers LanguageIntel calls (proxied servers configured). */
  intel?: boolean;
  /** The main thread answers MCP calls (its hub). */
  mcp?: boolean;
  /** The main thread runs bash's commands (the front's own terminals). */
  commands?: boolean;
}

/** The session's files: local stat/list, reads and writes through the main thread's workspace doc. */
class RemoteFiles implements WorkspaceFiles {
  readonly root: string;
  private readonly disk: DiskWorkspaceFiles;
  private readonly rpc: Rpc;

  constructor(disk: DiskWorkspaceFiles, rpc: Rpc) {
    this.disk = disk;
    this.root = disk.root;
    this.rpc = rpc;
  }

  resolve(path: string): Promise<ResolvedPath> {
    return this.disk.resolve(path);
  }

  stat(path: string): Promise<FileStat | null> {
    return this.disk.stat(path);
  }

  readDir(path: string): Promise<DirEntry[]> {
    return this.disk.readDir(path);
  }

  async readText(path: string, options: { track?: boolean } = {}): Promise<string> {
    const { abs } = await this.resolve(path);
    return (await this.rpc.call<string | null>("read", { abs, track: Boolean(options.track) })) ?? this.disk.readText(path);
  }

  async readFile(path: string, options: { track?: boolean } = {}): Promise<Uint8Array> {
    const { abs } = await this.resolve(path);
    // null: not in the workspace doc (binary files never are).
    const text = await this.rpc.call<string | null>("read", { abs, track: Boolean(options.track) });
    return text === null ? this.disk.readFile(path) : Buffer.from(text, "utf8");
  }

  async writeText(path: string, text: string, options: { tool?: string } = {}): Promise<WriteOutcome> {
    const { abs } = await this.resolve(path);
    return this.rpc.call("write", { abs, text, tool: options.tool });
  }
}

if (parentPort) {
  const data = workerData as SessionWorkerData;
  const rpc = new Rpc(parentPort);
  // The main thread writes the audit log (one writer per hash chain); events go to it.
  if (data.config.audit.enabled) forwardAuditTo((event) => rpc.emit("audit", event));
  let config = data.config;
  // Logs go where the server's go (OPENCODE_LSP_LOG or stderr), at its level.
  const log = createLogger({ level: process.env.OPENCODE_LSP_LOG_LEVEL ?? "info" }).child({ session: data.id });
  const client = createModelClient({ config, log });
  const bus = new Bus();
  bus.on("session.update", (e) => rpc.emit("update", e.update));
  const disk = new DiskWorkspaceFiles(data.root, config.policy.allowPaths ? { allowPaths: config.policy.allowPaths } : {});
  const intel = data.intel ? new RemoteIntel((call) => rpc.call(INTEL_METHOD, call), () => Object.values(config.proxy ?? {})) : undefined;
  const tools = new ToolRegistry({ tools: builtinTools({ lsp: Boolean(intel) }), config: () => config });
  const mcp = data.mcp ? new RemoteMcp((call) => rpc.call(MCP_METHOD, call)) : undefined;
  const session = new Session(
    {
      client,
      tools,
      files: new RemoteFiles(disk, rpc),
      bus,
      ask: (request: PermissionRequest) => rpc.call<PermissionOutcome>("ask", request),
      contextWindow: (m) => client.contextWindow(m),
      log,
      ...(intel ? { intel } : {}),
      ...(mcp ? { mcpTools: () => mcpTools(mcp) } : {}),
      // Cancelling reaches the command through the main thread's own cancel of the turn.
      ...(data.commands ? { runCommand: (request: CommandRequest) => rpc.call<CommandOutcome>("command", request) } : {}),
    },
    { id: data.id, model: data.model, title: data.title },
  );
  session.messages.push(...data.messages);

  rpc.handle("prompt", async ({ text, options, model }: { text: string; options: PromptOptions; model?: string }) => {
    if (model) session.model = model;
    const result = await session.prompt(text, options);
    return { result, messages: session.messages };
  });
  rpc.handle("cancel", () => session.cancel());
  rpc.handle("config", (next: Config) => {
    config = next;
    client.updateConfig(next);
  });
  rpc.handle("ping", () => "pong");
}

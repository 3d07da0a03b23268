// An ACP client for tests, on the SDK's own client side: spawns the BUILT binary (`opencode-lsp acp`)
// and connects to it over stdio with ndJsonStream. It plays an editor: buffers it serves through
// fs/read_text_file and changes through fs/write_text_file, terminals that really run the command,
// and permission answers chosen by the test. It keeps every byte the agent wrote to stdout (to check
// it holds nothing but protocol lines) and every session/update.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough, Readable, Writable } from "node:stream";
import * as acp from "@agentclientprotocol/sdk";
import { client, methods, ndJsonStream } from "@agentclientprotocol/sdk";
import { afterEach } from "vitest";
import { isolatedEnv, SERVER_BIN } from "./lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "./providers/scripted-server.ts";

export interface AcpClientOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** What the client offers; default: fs read and write, and terminals. */
  capabilities?: acp.ClientCapabilities;
}

interface RunningTerminal {
  command: string;
  args: string[];
  cwd: string | undefined;
  output: string;
  exit: Promise<{ exitCode: number | null; signal: string | null }>;
  kill(): void;
  released: boolean;
}

export class AcpTestClient {
  readonly child: ChildProcessWithoutNullStreams;
  readonly connection: acp.ClientConnection;
  readonly updates: acp.SessionNotification[] = [];
  /** The editor's buffers by absolute path (what read_text_file serves before the disk). */
  readonly buffers = new Map<string, string>();
  readonly reads: acp.ReadTextFileRequest[] = [];
  readonly writes: acp.WriteTextFileRequest[] = [];
  readonly permissionRequests: acp.RequestPermissionRequest[] = [];
  readonly terminals = new Map<string, RunningTerminal>();
  /** Called as each session/update arrives (benchmarks time them). */
  onUpdate: ((notification: acp.SessionNotification) => void) | undefined;
  /** The answer to the next permission request: an option id, or "cancelled". */
  permission: (request: acp.RequestPermissionRequest) => string = () => "allow_once";
  readonly exited: Promise<number | null>;
  private readonly stdoutChunks: Buffer[] = [];
  private stderrText = "";
  private nextTerminal = 1;

  constructor(options: AcpClientOptions) {
    this.child = spawn(process.execPath, [SERVER_BIN, "acp"], { cwd: options.cwd, env: { ...isolatedEnv(), ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
    const tee = new PassThrough();
    this.child.stdout.on("data", (chunk: Buffer) => {
      this.stdoutChunks.push(chunk);
      tee.write(chunk);
    });
    this.child.stdout.on("end", () => tee.end());
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderrText += chunk.toString("utf8")));
    const app = client({ name: "acp-test-client" })
      .onNotification(methods.client.session.update, ({ params }) => {
        this.onUpdate?.(params);
        this.updates.push(params);
      })
      .onRequest(methods.client.session.requestPermission, ({ params }) => {
        this.permissionRequests.push(params);
        const picked = this.permission(params);
        return { outcome: picked === "cancelled" ? { outcome: "cancelled" } : { outcome: "selected", optionId: picked } };
      })
      .onRequest(methods.client.fs.readTextFile, ({ params }) => {
        this.reads.push(params);
        const text = this.buffers.get(params.path) ?? (existsSync(params.path) ? readFileSync(params.path, "utf8") : undefined);
        if (text === undefined) throw acp.RequestError.resourceNotFound(params.path);
        return { content: text };
      })
      .onRequest(methods.client.fs.writeTextFile, ({ params }) => {
        this.writes.push(params);
        this.buffers.set(params.path, params.content);
        return {};
      })
      .onRequest(methods.client.terminal.create, ({ params }) => this.createTerminal(params))
      .onRequest(methods.client.terminal.output, ({ params }) => {
        const t = this.terminal(params.terminalId);
        return { output: t.output, truncated: false };
      })
      .onRequest(methods.client.terminal.waitForExit, async ({ params }) => this.terminal(params.terminalId).exit)
      .onRequest(methods.client.terminal.kill, ({ params }) => {
        this.terminal(params.terminalId).kill();
        return {};
      })
      .onRequest(methods.client.terminal.release, ({ params }) => {
        const t = this.terminal(params.terminalId);
        t.kill();
        t.released = true;
        return {};
      });
    this.connection = app.connect(ndJsonStream(Writable.toWeb(this.child.stdin) as WritableStream<Uint8Array>, Readable.toWeb(tee) as ReadableStream<Uint8Array>));
    this.capabilities = options.capabilities ?? { fs: { readTextFile: true, writeTextFile: true }, terminal: true };
  }

  readonly capabilities: acp.ClientCapabilities;

  get agent(): acp.ClientContext {
    return this.connection.agent;
  }

  initialize(): Promise<acp.InitializeResponse> {
    return this.agent.request(methods.agent.initialize, { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: this.capabilities, clientInfo: { name: "acp-test-client", version: "1.0.0" } });
  }

  newSession(cwd: string, mcpServers: acp.McpServer[] = []): Promise<acp.NewSessionResponse> {
    return this.agent.request(methods.agent.session.new, { cwd, mcpServers });
  }

  prompt(sessionId: string, text: string, extra: acp.ContentBlock[] = []): Promise<acp.PromptResponse> {
    return this.agent.request(methods.agent.session.prompt, { sessionId, prompt: [{ type: "text", text }, ...extra] });
  }

  /** The updates of one session, in order (only the update objects). */
  updatesOf(sessionId: string): acp.SessionUpdate[] {
    return this.updates.filter((n) => n.sessionId === sessionId).map((n) => n.update);
  }

  /** The agent's answer text in a session, from its agent_message_chunk updates. */
  textOf(sessionId: string): string {
    return this.updatesOf(sessionId)
      .map((u) => (u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? u.content.text : ""))
      .join("");
  }

  /** Writes bytes to the agent's stdin as they are: for malformed lines. */
  writeRaw(text: string): void {
    this.child.stdin.write(text);
  }

  /** Every line the agent wrote to stdout, parsed; throws on a line that is not a JSON-RPC message. */
  stdoutMessages(): Record<string, unknown>[] {
    const text = Buffer.concat(this.stdoutChunks).toString("utf8");
    return text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (message.jsonrpc !== "2.0") throw new Error(`not a JSON-RPC line: ${line.slice(0, 120)}`);
        return message;
      });
  }

  get stderr(): string {
    return this.stderrText;
  }

  kill(): void {
    this.connection.close();
    for (const t of this.terminals.values()) t.kill();
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }

  private terminal(id: string): RunningTerminal {
    const t = this.terminals.get(id);
    if (!t) throw acp.RequestError.resourceNotFound(id);
    return t;
  }

  /** A real terminal: the command runs as a child process; its output collects. */
  private createTerminal(params: acp.CreateTerminalRequest): acp.CreateTerminalResponse {
    const child = spawn(params.command, params.args ?? [], { cwd: params.cwd ?? undefined, stdio: ["ignore", "pipe", "pipe"] });
    const terminal: RunningTerminal = {
      command: params.command,
      args: params.args ?? [],
      cwd: params.cwd ?? undefined,
      output: "",
      exit: new Promise((resolve) => child.on("close", (code, signal) => resolve({ exitCode: code, signal }))),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      },
      released: false,
    };
    const collect = (chunk: Buffer) => (terminal.output += chunk.toString("utf8"));
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const id = `term-${this.nextTerminal++}`;
    this.terminals.set(id, terminal);
    return { terminalId: id };
  }
}

/**
 * A workspace with `files` and an opencode.json whose model is `model` on the scripted server(s):
 * each entry of `providers` is a provider id → its scripted server's baseURL (openai protocol).
 */
export function acpWorkspace(files: Record<string, string>, providers: Record<string, string>, config: Record<string, unknown> = {}): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "acp-ws-")));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  const entries = Object.fromEntries(Object.entries(providers).map(([id, baseURL]) => [id, { baseURL, protocol: "openai", apiKey: "test-key", models: { [`${id}-model`]: { contextWindow: 100_000, price: { input: 1, output: 2 } } } }]));
  const first = Object.keys(providers)[0];
  writeFileSync(join(root, "opencode.json"), JSON.stringify({ model: `${first}/${first}-model`, providers: entries, permissions: { edit: "allow", bash: "allow" }, ...config }, null, 2));
  return root;
}

/** A test file's ACP clients and scripted providers (openai protocol), killed and closed after each test. */
export function acpFixtures() {
  const clients: { kill(): void }[] = [];
  const providers: ScriptedProvider[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.kill();
    for (const p of providers.splice(0)) await p.close();
  });
  return {
    async provider(turns: ScriptedTurn[] = [{ text: "ok" }]): Promise<ScriptedProvider> {
      const p = await startScriptedProvider({ protocol: "openai", turns });
      providers.push(p);
      return p;
    },
    /** A client connected to a new `opencode-lsp acp` in `root`, initialized. */
    async client(root: string, options: Omit<AcpClientOptions, "cwd"> = {}): Promise<AcpTestClient> {
      const c = this.track(new AcpTestClient({ cwd: root, ...options }));
      await c.initialize();
      return c;
    },
    /** Kills `c` after the test. */
    track<T extends { kill(): void }>(c: T): T {
      clients.push(c);
      return c;
    },
  };
}

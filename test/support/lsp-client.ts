// A small LSP client for tests: spawns the BUILT server (dist/main.js) as a child process and
// talks to it over stdio with vscode-jsonrpc. It keeps a copy of every byte the server wrote to
// stdout (so tests can check it holds nothing but frames) and of its stderr.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  createMessageConnection,
  ErrorCodes,
  ResponseError,
  StreamMessageReader,
  type MessageConnection,
} from "vscode-jsonrpc/node";
import { FrameWriter } from "../../server/rpc/frame-writer.ts";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SERVER_BIN = join(REPO_ROOT, "dist", "main.js");

export interface SpawnOptions {
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Ways an editor gets workspace/applyEdit wrong, for tests of the edit path. */
export interface EditFaults {
  /** How an applied edit is reported: as a didChange at once (default), after this many ms (eglot's idle timer), or never. */
  echo?: "now" | "never" | number;
  /** Answers workspace/applyEdit after this many ms (the edit applies when it answers). */
  answerDelayMs?: number;
  /** Refuses every edit (`applied: false`) with this failureReason. */
  refuse?: string;
  /** Answers every edit with a JSON-RPC error with this message. */
  error?: string;
}

export interface ServerRequestLog {
  method: string;
  params: any;
}

export class LspTestClient {
  readonly child: ChildProcessWithoutNullStreams;
  readonly connection: MessageConnection;
  readonly notifications: { method: string; params: any }[] = [];
  /** Requests the server sent to us (workspace/configuration, window/showMessageRequest, ...). */
  readonly serverRequests: ServerRequestLog[] = [];
  /** Answers for server→client requests, by method. */
  readonly answers = new Map<string, (params: any) => unknown>();
  private readonly stdoutChunks: Buffer[] = [];
  private stderrText = "";
  readonly exited: Promise<number | null>;
  /** The initialize result, for tests that keep it. */
  initializeResult: any;
  /** Called with each notification as it arrives (to see the client's state at that moment). */
  readonly notificationHooks: ((method: string, params: any) => void)[] = [];
  /** How this client mishandles workspace/applyEdit (none by default). */
  editFaults: EditFaults = {};

  constructor(options: SpawnOptions = {}) {
    this.child = spawn(process.execPath, [SERVER_BIN, ...(options.args ?? ["--stdio"])], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...isolatedEnv(), ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout.on("data", (chunk: Buffer) => this.stdoutChunks.push(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderrText += chunk.toString("utf8")));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
    // Whole frames in one write each: raw bytes a test writes can never land inside one of them.
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new FrameWriter(this.child.stdin));
    this.connection.onNotification((method, params) => {
      this.notifications.push({ method, params });
      for (const hook of this.notificationHooks) hook(method, params);
    });
    // vscode-jsonrpc routes $/progress to per-token handlers; keep the rest as notifications.
    this.connection.onUnhandledProgress((params) => this.notifications.push({ method: "$/progress", params }));
    this.connection.onRequest((method, params) => {
      this.serverRequests.push({ method, params });
      const answer = this.answers.get(method);
      return answer ? answer(params) : null;
    });
    this.connection.listen();
  }

  get stdout(): Buffer {
    return Buffer.concat(this.stdoutChunks);
  }

  get stderr(): string {
    return this.stderrText;
  }

  request<R = any>(method: string, params?: unknown): Promise<R> {
    return params === undefined ? this.connection.sendRequest(method) : this.connection.sendRequest(method, params);
  }

  notify(method: string, params?: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** Writes bytes to the server's stdin as they are: for malformed frames. */
  writeRaw(bytes: string | Buffer): void {
    this.child.stdin.write(bytes);
  }

  /** Buffers this client holds, as an editor would: workspace/applyEdit changes them (with didChange). */
  readonly buffers = new Map<string, TextDocument>();
  readonly appliedEdits: any[] = [];

  /** Opens a buffer (didOpen) and answers workspace/applyEdit for it like an editor. */
  async openBuffer(uri: string, languageId: string, text: string): Promise<void> {
    this.buffers.set(uri, TextDocument.create(uri, languageId, 1, text));
    if (!this.answers.has("workspace/applyEdit")) this.answers.set("workspace/applyEdit", (params) => this.applyWorkspaceEdit(params));
    await this.notify("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text } });
  }

  /** The user types: a didChange with one incremental change. */
  async typeIn(uri: string, offset: number, text: string): Promise<void> {
    const doc = this.buffers.get(uri)!;
    const at = doc.positionAt(offset);
    const change = { range: { start: at, end: at }, text };
    const next = TextDocument.update(doc, [change], doc.version + 1);
    this.buffers.set(uri, next);
    const late = this.lateEchoes.get(uri);
    if (late) late.push(change); // sent with the late echo, as one didChange (eglot)
    else await this.notify("textDocument/didChange", { textDocument: { uri, version: next.version }, contentChanges: [change] });
  }

  /** Changes held for a late echo, by uri. */
  private readonly lateEchoes = new Map<string, any[]>();

  text(uri: string): string | undefined {
    return this.buffers.get(uri)?.getText();
  }

  private async applyWorkspaceEdit(params: any): Promise<{ applied: boolean; failureReason?: string }> {
    const faults = this.editFaults;
    if (faults.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, faults.answerDelayMs));
    if (faults.error) throw new ResponseError(ErrorCodes.InternalError, faults.error);
    if (faults.refuse) return { applied: false, failureReason: faults.refuse };
    this.appliedEdits.push(params.edit);
    const perDoc: [string, number | null, any[]][] = params.edit.documentChanges
      ? params.edit.documentChanges.map((c: any) => [c.textDocument.uri, c.textDocument.version, c.edits])
      : Object.entries(params.edit.changes ?? {}).map(([uri, edits]) => [uri, null, edits as any[]]);
    for (const [uri, version] of perDoc) {
      const doc = this.buffers.get(uri);
      if (!doc) return { applied: false, failureReason: `${uri} is not open` };
      if (version !== null && version !== doc.version) return { applied: false, failureReason: "version mismatch" };
    }
    for (const [uri, , edits] of perDoc) {
      const doc = this.buffers.get(uri)!;
      const text = TextDocument.applyEdits(doc, edits);
      const next = TextDocument.create(uri, doc.languageId, doc.version + 1, text);
      this.buffers.set(uri, next);
      if (faults.echo === undefined || faults.echo === "now") {
        void this.notify("textDocument/didChange", { textDocument: { uri, version: next.version }, contentChanges: [{ text }] });
      } else if (typeof faults.echo === "number") {
        // Reported later, as the edits themselves (last first, so each applies to the text before it), with any typing since.
        const changes = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start)).map((e) => ({ range: e.range, text: e.newText }));
        this.lateEchoes.set(uri, changes);
        setTimeout(() => {
          this.lateEchoes.delete(uri);
          void this.notify("textDocument/didChange", { textDocument: { uri, version: this.buffers.get(uri)!.version }, contentChanges: changes });
        }, faults.echo);
      }
    }
    return { applied: true };
  }

  async initialize(overrides: Record<string, unknown> = {}): Promise<any> {
    const result = await this.request("initialize", {
      processId: process.pid,
      clientInfo: { name: "lsp-test-client" },
      rootUri: pathToFileURL(REPO_ROOT).href,
      capabilities: {},
      ...overrides,
    });
    await this.notify("initialized", {});
    return result;
  }

  /** Waits until a notification of `method` matching `test` arrives. */
  async waitForNotification(method: string, test: (params: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.notifications.find((n) => n.method === method && test(n.params));
      if (found) return found.params;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${method} notification within ${timeoutMs} ms; got ${this.notifications.map((n) => n.method).join(", ")}`);
  }

  /** Waits for a message the server wrote (found by parsing its raw stdout), e.g. a response to a raw frame. */
  async waitForRaw(test: (message: any) => boolean, timeoutMs = 5000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = parseFrames(this.stdout).find(test);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no matching message within ${timeoutMs} ms; stderr:\n${this.stderr.slice(-2000)}`);
  }

  async shutdownAndExit(): Promise<number | null> {
    await this.request("shutdown");
    await this.notify("exit");
    return this.exited;
  }

  kill(): void {
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** An environment that does not see the developer's own config files or keys. */
export function isolatedEnv(): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(tmpdir(), "opencode-lsp-home-"));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/API_KEY|TOKEN|OPENCODE_LSP_/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_STATE_HOME: join(home, ".local", "state") };
}

/** Splits raw stdout into frames; throws on anything that is not a well-formed frame. */
export function parseFrames(bytes: Buffer): unknown[] {
  const messages: unknown[] = [];
  let at = 0;
  while (at < bytes.length) {
    const headerEnd = bytes.indexOf("\r\n\r\n", at);
    if (headerEnd === -1) throw new Error(`trailing bytes after the last frame: ${JSON.stringify(bytes.subarray(at, at + 80).toString())}`);
    const header = bytes.subarray(at, headerEnd).toString("latin1");
    const match = /^Content-Length: (\d+)(\r\nContent-Type: [^\r\n]+)?$/.exec(header);
    if (!match) throw new Error(`not a frame header: ${JSON.stringify(header.slice(0, 80))}`);
    const start = headerEnd + 4;
    const end = start + Number(match[1]);
    if (end > bytes.length) throw new Error("truncated frame");
    messages.push(JSON.parse(bytes.subarray(start, end).toString("utf8")));
    at = end;
  }
  return messages;
}

/** A raw frame with the given body and (optionally wrong) Content-Length. */
export function frame(body: string | object, contentLength?: number): Buffer {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const bytes = Buffer.from(text, "utf8");
  return Buffer.concat([Buffer.from(`Content-Length: ${contentLength ?? bytes.length}\r\n\r\n`, "latin1"), bytes]);
}

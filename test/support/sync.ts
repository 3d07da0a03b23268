// Sessions across machines, for tests: `opencode-lsp sync serve` (the built binary) on 127.0.0.1,
// "machines" (an LSP server each, with its own workspace folder) joined to it, a TCP relay the test
// can cut and restore, and a real redis-server on a free port.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isolatedEnv, LspTestClient, SERVER_BIN } from "./lsp-client.ts";
import type { ScriptedProvider } from "./providers/scripted-server.ts";

export const TOKEN = "team-token-0123456789";

export interface SyncServe {
  url: string;
  port: number;
  child: ChildProcess;
  stderr(): string;
  health(): Promise<{ documents: number; connections: number; redis: boolean; persist: boolean }>;
  stop(): Promise<void>;
}

export async function startSyncServe(options: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<SyncServe> {
  const child = spawn(process.execPath, [SERVER_BIN, "sync", "serve", "--port", "0", ...(options.args ?? [])], {
    env: { ...isolatedEnv(), OPENCODE_LSP_SYNC_TOKEN: TOKEN, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sync serve did not start:\n${stderr}`)), 10_000);
    child.stderr!.on("data", () => {
      const match = /sync server on ws:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => reject(new Error(`sync serve exited ${code}:\n${stderr}`)));
  });
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    child,
    stderr: () => stderr,
    health: async () => (await fetch(`http://127.0.0.1:${port}/health`)).json() as never,
    stop: () => stopChild(child),
  };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 3000).unref();
  });
}

export interface Machine {
  name: string;
  root: string;
  client: LspTestClient;
  uri(rel: string): string;
  health(): Promise<any>;
}

export const AREA = `export function area(width: number, height: number): number {\n  return width + height;\n}\n`;

/** A machine: its own workspace (area.ts), an LSP server joined to `url` in `room`, using `provider`. */
export async function startMachine(name: string, options: { url: string; provider: ScriptedProvider; token?: string; room?: string; files?: Record<string, string> }): Promise<Machine> {
  const root = mkdtempSync(join(tmpdir(), `sync-${name}-`));
  for (const [rel, text] of Object.entries(options.files ?? { "area.ts": AREA })) writeFileSync(join(root, rel), text);
  const client = new LspTestClient({ cwd: root });
  await client.initialize({
    rootUri: pathToFileURL(root).href,
    capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
    initializationOptions: {
      model: "scripted/test-model",
      // Each machine its own key: the scripted provider tells which machine ran a turn.
      providers: { scripted: { baseURL: options.provider.baseURLs.openai, protocol: "openai", apiKey: `key-${name}` } },
      permissions: { edit: "allow", bash: "allow" },
      sync: { url: options.url, token: options.token ?? TOKEN, room: options.room ?? "team" },
    },
  });
  return {
    name,
    root,
    client,
    uri: (rel) => pathToFileURL(join(root, rel)).href,
    health: async () => (await client.request("opencode/health")).sync,
  };
}

/** A TCP relay on 127.0.0.1 in front of `targetPort` that the test can cut (drop every connection, refuse new ones) and restore. */
export async function startRelay(targetPort: number): Promise<{ port: number; url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  let open = true;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    cut: () => {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    restore: () => {
      open = true;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A real redis-server on a free port, nothing saved. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    child.stdout!.on("data", () => {
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("error", reject);
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` returns a value that is not undefined/false. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

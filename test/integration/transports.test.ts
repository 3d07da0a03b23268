// --socket and --pipe: the server listens and serves one client with the same protocol as stdio.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMessageConnection, SocketMessageReader, SocketMessageWriter } from "vscode-jsonrpc/node";
import { isolatedEnv, SERVER_BIN } from "../support/lsp-client.ts";

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function serveAndConnect(flag: string, address: { port: number } | { path: string }) {
  const child = spawn(process.execPath, [SERVER_BIN, flag], { env: isolatedEnv(), stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stdout = "";
  child.stdout!.on("data", (c) => (stdout += c));
  await new Promise<void>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (c) => {
      err += c;
      if (err.includes("opencode-lsp listening on")) resolve();
    });
    child.on("exit", () => reject(new Error(`server exited: ${err}`)));
  });
  const socket = connect(address as never);
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.listen();
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { connection, exited, stdout: () => stdout };
}

describe("transports", () => {
  it("--socket=PORT listens on 127.0.0.1 and speaks LSP", async () => {
    const port = await freePort();
    const { connection, exited, stdout } = await serveAndConnect(`--socket=${port}`, { port });
    const result: any = await connection.sendRequest("initialize", { processId: null, capabilities: {}, rootUri: null });
    expect(result.serverInfo.name).toBe("opencode-lsp");
    await connection.sendRequest("shutdown");
    await connection.sendNotification("exit");
    expect(await exited).toBe(0);
    expect(stdout()).toBe("");
  });

  it("--pipe=NAME listens on a Unix socket and speaks LSP", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "opencode-pipe-")), "lsp.sock");
    const { connection, exited } = await serveAndConnect(`--pipe=${path}`, { path });
    const result: any = await connection.sendRequest("initialize", { processId: null, capabilities: {}, rootUri: null });
    expect(result.capabilities.textDocumentSync.change).toBe(2);
    await connection.sendRequest("shutdown");
    await connection.sendNotification("exit");
    expect(await exited).toBe(0);
  });
});

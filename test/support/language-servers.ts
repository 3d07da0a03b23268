// Real language servers from npm, for proxy tests: their commands, and a direct client to compare
// answers through opencode-lsp with answers straight from the server.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { REPO_ROOT } from "./lsp-client.ts";

const bin = (pkg: string, file: string) => join(REPO_ROOT, "node_modules", pkg, file);

export const TSSERVER_PATH = bin("typescript", "lib/tsserver.js");

export const typescriptProxy = {
  command: [process.execPath, bin("typescript-language-server", "lib/cli.mjs"), "--stdio"],
  filetypes: ["typescript", "javascript"],
  initializationOptions: { tsserver: { path: TSSERVER_PATH } },
};

export const pyrightProxy = (settings: Record<string, unknown> = {}) => ({
  command: [process.execPath, bin("pyright", "langserver.index.js"), "--stdio"],
  filetypes: ["python"],
  settings,
});

export const jsonProxy = {
  command: [process.execPath, bin("vscode-langservers-extracted", "bin/vscode-json-language-server"), "--stdio"],
  filetypes: ["json", "typescript"],
};

/** A plain LSP client straight to a server, no opencode-lsp in between. */
export interface DirectClient {
  connection: MessageConnection;
  capabilities: any;
  /** Resolves with the first non-empty diagnostics published for `uri`. */
  diagnostics(uri: string): Promise<any[]>;
  close(): void;
}

export async function directClient(command: string[], root: string, initializationOptions?: unknown): Promise<DirectClient> {
  const [cmd, ...args] = command;
  const child = spawn(cmd!, args, { cwd: root, stdio: ["pipe", "pipe", "ignore"] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onRequest(() => null);
  const published = new Map<string, any[]>();
  const waiters: (() => void)[] = [];
  connection.onNotification("textDocument/publishDiagnostics", (p: any) => {
    published.set(p.uri, p.diagnostics);
    for (const w of waiters.splice(0)) w();
  });
  connection.listen();
  const result: any = await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: "ws" }],
    capabilities: { textDocument: { hover: { contentFormat: ["markdown", "plaintext"] }, completion: { completionItem: { snippetSupport: true } }, publishDiagnostics: {} } },
    ...(initializationOptions ? { initializationOptions } : {}),
  });
  await connection.sendNotification("initialized", {});
  return {
    connection,
    capabilities: result.capabilities,
    diagnostics: async (uri) => {
      while (!published.get(uri)?.length) await new Promise<void>((resolve) => waiters.push(resolve));
      return published.get(uri)!;
    },
    close: () => {
      connection.dispose();
      child.kill("SIGKILL");
    },
  };
}

/** The scripted language server of test/support/fake-language-server.ts, with its mode flags. */
export const fakeServer = (...flags: string[]) => [process.execPath, join(REPO_ROOT, "test", "support", "fake-language-server.ts"), ...flags];

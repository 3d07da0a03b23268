// `opencode-lsp sync serve [--port N] [--host H] [--redis URL] [--persist FILE]`.
import { randomBytes } from "node:crypto";
import { DEFAULT_SYNC_PORT } from "../config/ports.ts";
import { TOKEN_ENV } from "./names.ts";
import { startSyncServer } from "./serve.ts";

export interface SyncServeOptions {
  port?: number;
  host?: string;
  redis?: string;
  persist?: string;
}

export async function syncServe(options: SyncServeOptions, io = { stderr: (t: string) => void process.stderr.write(t), env: process.env }): Promise<number> {
  const chosen = io.env[TOKEN_ENV];
  const token = chosen || randomBytes(24).toString("base64url");
  let server;
  try {
    server = await startSyncServer({
      token,
      ...(options.port !== undefined ? { port: options.port } : { port: DEFAULT_SYNC_PORT }),
      ...(options.host ? { host: options.host } : {}),
      ...(options.redis ? { redis: options.redis } : {}),
      ...(options.persist ? { persist: { file: options.persist } } : {}),
      log: (line) => io.stderr(`opencode-lsp sync: ${line}\n`),
    });
  } catch (error) {
    io.stderr(`opencode-lsp: sync serve: ${(error as Error).message}\n`);
    return 2;
  }
  const kept = options.persist ? `documents kept in ${options.persist} (encrypted)` : "nothing kept after the last client leaves";
  io.stderr(`opencode-lsp sync server on ${server.url}${options.redis ? ` with Redis ${options.redis}` : ""}; ${kept} (Ctrl-C to stop)\n`);
  if (!chosen) io.stderr(`token: ${token}   (set ${TOKEN_ENV} to choose it; clients put it in sync.token or the variable sync.tokenEnv names)\n`);
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()).once("SIGTERM", () => resolve()));
  await server.close();
  return 0;
}

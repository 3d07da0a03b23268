// `opencode-lsp sync serve`: a Hocuspocus server for a team's shared sessions. 127.0.0.1 unless told
// otherwise; every connection proves the team token (onAuthenticate); documents live only while a
// client has them open unless --persist is given; with --redis several servers share documents
// (and turn leases) through one Redis. What crosses it is Yjs; an update that does not decode as
// Yjs closes the sender's connection (the document is untouched) instead of reaching anyone.
import { timingSafeEqual } from "node:crypto";
import { Server, type Extension } from "@hocuspocus/server";
import * as Y from "yjs";
import { REFUSED_TOKEN, validDocumentName } from "./names.ts";
import { MemoryLeases, RedisLeases, TurnLocks, type RedisLike } from "./turn-lock.ts";
import type { PersistenceOptions } from "./persistence.ts";

export interface SyncServerOptions {
  port?: number;
  host?: string;
  token: string;
  /** redis://[:password@]host:port[/db] */
  redis?: string;
  persist?: PersistenceOptions;
  log?: (line: string) => void;
}

export interface SyncServer {
  url: string;
  port: number;
  health(): { documents: number; connections: number; redis: boolean; persist: boolean };
  close(): Promise<void>;
}

/** y-protocols sync message types that carry an update (SyncStep2, Update). */
const CARRIES_UPDATE = new Set([1, 2]);

export async function startSyncServer(options: SyncServerOptions): Promise<SyncServer> {
  const log = options.log ?? (() => undefined);
  const expected = Buffer.from(options.token);
  const extensions: Extension[] = [];
  let redisLeases: RedisLeases | undefined;
  if (options.redis) {
    const { Redis } = await import("@hocuspocus/extension-redis");
    const redis = new Redis(redisConfiguration(options.redis));
    await reachable(redis, options.redis, log);
    redisLeases = new RedisLeases(redis.pub as unknown as RedisLike);
    extensions.push(redis);
  }
  let persistence: { close(): void } | undefined;
  if (options.persist) {
    const { sealedSqlite } = await import("./persistence.ts");
    const sqlite = sealedSqlite(options.persist);
    persistence = sqlite;
    extensions.push(sqlite.extension);
  }
  extensions.push(new TurnLocks(redisLeases ?? new MemoryLeases()));

  const server = new Server({
    quiet: true,
    stopOnSignals: false,
    address: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    extensions,
    async onAuthenticate({ token, documentName }) {
      if (!validDocumentName(documentName)) throw { reason: `unknown document "${documentName.slice(0, 80)}"` };
      const given = Buffer.from(token ?? "");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        log(`refused a connection to ${documentName}: wrong token`);
        throw { reason: REFUSED_TOKEN };
      }
    },
    async beforeSync({ type, payload, documentName }) {
      if (!CARRIES_UPDATE.has(type)) return;
      try {
        Y.decodeUpdate(payload);
      } catch {
        log(`dropped an update to ${documentName} that is not valid Yjs (${payload.byteLength} bytes); its sender is disconnected`);
        throw { code: 4400, reason: "not a Yjs update" };
      }
    },
    async onRequest({ request, response }) {
      if (request.url !== "/health") return;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(health()));
      throw null; // answered: no default response
    },
  });
  const health = () => ({
    documents: server.hocuspocus.getDocumentsCount(),
    connections: server.hocuspocus.getConnectionsCount(),
    redis: Boolean(options.redis),
    persist: Boolean(options.persist),
  });
  await new Promise<void>((resolve, reject) => {
    server.httpServer.once("error", reject);
    server.listen().then(() => resolve(), reject);
  });
  const { port, address } = server.httpServer.address() as { port: number; address: string };
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `ws://${host}:${port}`,
    port,
    health,
    close: async () => {
      await server.destroy();
      persistence?.close();
    },
  };
}

/** Fails the start when Redis does not answer; afterwards its errors are one log line each (ioredis reconnects). */
async function reachable(redis: { pub: RedisEvents; sub: RedisEvents }, url: string, log: (line: string) => void): Promise<void> {
  let last = "";
  for (const client of [redis.pub, redis.sub]) {
    client.on("error", (error: Error) => {
      if (error.message !== last) log(`Redis: ${error.message}`);
      last = error.message;
    });
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([redis.pub.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(last || "no answer in 3 s")), 3_000)))]);
  } catch (error) {
    redis.pub.disconnect();
    redis.sub.disconnect();
    throw new Error(`cannot reach Redis at ${url}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

interface RedisEvents {
  on(event: "error", listener: (error: Error) => void): unknown;
  ping(): Promise<unknown>;
  disconnect(): void;
}

function redisConfiguration(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--redis takes a redis:// URL, got "${url}"`);
  }
  if (parsed.protocol !== "redis:") throw new Error(`--redis takes a redis:// URL, got "${url}"`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  return {
    host: parsed.hostname || "127.0.0.1",
    port: Number(parsed.port || 6379),
    prefix: "opencode-lsp",
    options: { ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}), ...(db !== undefined ? { db } : {}) },
  };
}

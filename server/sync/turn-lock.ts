// The sync server's turn leases (see turn-protocol.ts): one holder per session document at a time,
// granted in the server (a Map) or, with several servers, in Redis (SET NX PX), so two machines
// never run a turn of one session at once. A lease is freed by its holder, by the holder's
// connection closing, or by expiry.
import type { Extension, onDisconnectPayload, onStatelessPayload } from "@hocuspocus/server";
import { parseTurnMessage, TURN_LEASE_MS, type TurnMessage } from "./turn-protocol.ts";

interface Lease {
  holder: string;
  socket: string;
}

export interface LeaseStore {
  /** Takes the lease if free (or already ours); returns the current holder otherwise. */
  acquire(doc: string, lease: Lease, ttlMs: number): Promise<{ ok: true; after?: string } | { ok: false; current: string }>;
  renew(doc: string, lease: Lease, ttlMs: number): Promise<void>;
  /** Frees the lease if `match` holds it; remembers `after` for the next holder. */
  release(doc: string, match: (lease: Lease) => boolean, after?: string): Promise<boolean>;
}

export class MemoryLeases implements LeaseStore {
  private readonly leases = new Map<string, Lease & { expires: number }>();
  private readonly after = new Map<string, string>();

  async acquire(doc: string, lease: Lease, ttlMs: number) {
    const current = this.leases.get(doc);
    if (current && current.expires > Date.now() && current.holder !== lease.holder) return { ok: false as const, current: current.holder };
    this.leases.set(doc, { ...lease, expires: Date.now() + ttlMs });
    const after = this.after.get(doc);
    return { ok: true as const, ...(after ? { after } : {}) };
  }

  async renew(doc: string, lease: Lease, ttlMs: number) {
    const current = this.leases.get(doc);
    if (current?.holder === lease.holder) current.expires = Date.now() + ttlMs;
  }

  async release(doc: string, match: (lease: Lease) => boolean, after?: string) {
    const current = this.leases.get(doc);
    if (!current || !match(current)) return false;
    this.leases.delete(doc);
    if (after) this.after.set(doc, after);
    return true;
  }
}

/** The subset of an ioredis client the leases use (the Redis extension's own connection). */
export interface RedisLike {
  set(key: string, value: string, px: "PX", ms: number, nx: "NX"): Promise<unknown>;
  get(key: string): Promise<string | null>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
}

// Compare-and-delete / compare-and-extend: only the value that was read is changed.
const DELETE_IF = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const SET_FOR = `return redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2])`;
const EXTEND_IF = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export class RedisLeases implements LeaseStore {
  private readonly redis: RedisLike;
  private readonly prefix: string;

  constructor(redis: RedisLike, prefix = "opencode-lsp") {
    this.redis = redis;
    this.prefix = prefix;
  }

  private key(doc: string): string {
    return `${this.prefix}:turn:${doc}`;
  }

  async acquire(doc: string, lease: Lease, ttlMs: number) {
    const value = JSON.stringify(lease);
    const taken = await this.redis.set(this.key(doc), value, "PX", ttlMs, "NX");
    if (taken !== "OK") {
      const current = await this.redis.get(this.key(doc));
      const holder = current ? (JSON.parse(current) as Lease).holder : undefined;
      if (holder !== lease.holder) return { ok: false as const, current: holder ?? "another machine" };
      await this.redis.eval(EXTEND_IF, 1, this.key(doc), current!, ttlMs);
    }
    const after = await this.redis.get(`${this.key(doc)}:after`);
    return { ok: true as const, ...(after ? { after } : {}) };
  }

  async renew(doc: string, lease: Lease, ttlMs: number) {
    const current = await this.redis.get(this.key(doc));
    if (current && (JSON.parse(current) as Lease).holder === lease.holder) await this.redis.eval(EXTEND_IF, 1, this.key(doc), current, ttlMs);
  }

  async release(doc: string, match: (lease: Lease) => boolean, after?: string) {
    const current = await this.redis.get(this.key(doc));
    if (!current || !match(JSON.parse(current) as Lease)) return false;
    if (after) await this.redis.eval(SET_FOR, 1, `${this.key(doc)}:after`, after, 3_600_000);
    return (await this.redis.eval(DELETE_IF, 1, this.key(doc), current)) === 1;
  }
}

/** The Hocuspocus extension: answers turn messages, frees a closed connection's leases. */
export class TurnLocks implements Extension {
  extensionName = "opencode-lsp turn leases";
  private readonly store: LeaseStore;
  private readonly ttlMs: number;

  constructor(store: LeaseStore, ttlMs = TURN_LEASE_MS) {
    this.store = store;
    this.ttlMs = ttlMs;
  }

  async onStateless({ payload, connection, document, documentName }: onStatelessPayload): Promise<void> {
    const message = parseTurnMessage(payload);
    if (!message) return;
    const lease = "holder" in message ? { holder: message.holder, socket: connection.socketId } : undefined;
    const reply = (m: TurnMessage) => connection.sendStateless(JSON.stringify(m));
    if (message.turn === "acquire" && lease) {
      const result = await this.store.acquire(documentName, lease, this.ttlMs);
      reply(result.ok ? { turn: "granted", holder: lease.holder, ...(result.after ? { after: result.after } : {}) } : { turn: "busy", holder: lease.holder, current: result.current });
    } else if (message.turn === "renew" && lease) {
      await this.store.renew(documentName, lease, this.ttlMs);
    } else if (message.turn === "release" && lease) {
      if (await this.store.release(documentName, (l) => l.holder === lease.holder, message.after)) document.broadcastStateless(JSON.stringify({ turn: "free" } satisfies TurnMessage));
    }
  }

  async onDisconnect({ documentName, socketId, document }: onDisconnectPayload): Promise<void> {
    if (await this.store.release(documentName, (l) => l.socket === socketId)) document.broadcastStateless(JSON.stringify({ turn: "free" } satisfies TurnMessage));
  }
}

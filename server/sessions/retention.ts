// retention "local": each session persists as its Yjs document (meta, transcript, updates),
// encrypted with AES-256-GCM under a key kept in a 0600 file in the XDG config dir; the files live
// in the XDG state dir and are restored after a restart. retention "none" (the default) never
// calls this: sessions live in memory and go with `end` or shutdown.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import * as Y from "yjs";
import { configDir, loadOrCreateKey } from "../privacy/key-file.ts";
import type { SessionUpdate } from "../bus/events.ts";
import type { Message } from "../providers/types.ts";

export interface StoredSession {
  id: string;
  title: string;
  model: string;
  createdAt: string;
  messages: Message[];
  updates: SessionUpdate[];
}

const MAGIC = Buffer.from("OCS1");

export class SessionStore {
  readonly dir: string;
  private readonly keyPath: string;
  private key: Buffer | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const state = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
    this.dir = join(state, "opencode-lsp", "sessions");
    this.keyPath = join(configDir(env), "sessions.key");
  }

  save(session: StoredSession): void {
    const doc = new Y.Doc();
    const meta = doc.getMap("meta");
    doc.transact(() => {
      meta.set("id", session.id);
      meta.set("title", session.title);
      meta.set("model", session.model);
      meta.set("createdAt", session.createdAt);
      doc.getArray("transcript").push(session.messages.map((m) => structuredClone(m)));
      doc.getArray("updates").push(session.updates.map((u) => structuredClone(u)));
    });
    const plain = Buffer.from(Y.encodeStateAsUpdate(doc));
    doc.destroy();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.ensureKey(), iv);
    cipher.setAAD(Buffer.from(session.id));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.fileOf(session.id), Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]), { mode: 0o600 });
  }

  load(id: string): StoredSession | undefined {
    const file = this.fileOf(id);
    if (!existsSync(file) || !existsSync(this.keyPath)) return undefined;
    const data = readFileSync(file);
    if (!data.subarray(0, 4).equals(MAGIC)) throw new Error(`${file} is not an opencode-lsp session`);
    const decipher = createDecipheriv("aes-256-gcm", this.ensureKey(), data.subarray(4, 16));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(data.subarray(16, 32));
    const plain = Buffer.concat([decipher.update(data.subarray(32)), decipher.final()]);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, plain);
    const meta = doc.getMap<string>("meta");
    const stored: StoredSession = {
      id: meta.get("id") ?? id,
      title: meta.get("title") ?? "Session",
      model: meta.get("model") ?? "",
      createdAt: meta.get("createdAt") ?? new Date().toISOString(),
      messages: doc.getArray<Message>("transcript").toArray(),
      updates: doc.getArray<SessionUpdate>("updates").toArray(),
    };
    doc.destroy();
    return stored;
  }

  /** Every stored session; one that cannot be read is skipped (reported through `onError`). */
  loadAll(onError: (id: string, error: unknown) => void = () => {}): StoredSession[] {
    if (!existsSync(this.dir)) return [];
    const out: StoredSession[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith(".session")) continue;
      const id = name.slice(0, -".session".length);
      try {
        const stored = this.load(id);
        if (stored) out.push(stored);
      } catch (error) {
        onError(id, error);
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  remove(id: string): void {
    rmSync(this.fileOf(id), { force: true });
  }

  private fileOf(id: string): string {
    if (!/^[\w-]+$/.test(id)) throw new Error(`bad session id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.session`);
  }

  private ensureKey(): Buffer {
    this.key ??= loadOrCreateKey(this.keyPath);
    return this.key;
  }
}

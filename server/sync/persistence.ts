// Opt-in persistence for `sync serve --persist FILE`: documents are kept in SQLite (Node's built-in
// node:sqlite) through @hocuspocus/extension-database, each state sealed with AES-256-GCM (the
// document's name bound as associated data) under a key in a 0600 file — the way retention
// "local" keeps sessions. Without --persist nothing is written: a document lives while a client
// has it open.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Database } from "@hocuspocus/extension-database";
import { open, seal } from "../privacy/encryption.ts";
import { configDir, loadOrCreateKey } from "../privacy/key-file.ts";

export interface PersistenceOptions {
  file: string;
  /** Default: sync-store.key in the XDG config directory. */
  keyFile?: string;
}

export function sealedSqlite(options: PersistenceOptions): { extension: Database; close(): void } {
  const key = loadOrCreateKey(options.keyFile ?? join(configDir(), "sync-store.key"));
  mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(options.file);
  db.exec("CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, data BLOB NOT NULL)");
  const select = db.prepare("SELECT data FROM documents WHERE name = ?");
  const upsert = db.prepare("INSERT INTO documents (name, data) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data");
  const extension = new Database({
    fetch: async ({ documentName }) => {
      const row = select.get(documentName) as { data: Uint8Array } | undefined;
      return row ? new Uint8Array(open(key, row.data, Buffer.from(documentName))) : null;
    },
    store: async ({ documentName, state }) => {
      upsert.run(documentName, seal(key, state, Buffer.from(documentName)));
    },
  });
  return { extension, close: () => db.close() };
}

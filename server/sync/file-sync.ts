// The workspace files a shared session touched, linked across machines. Each linked file has a
// shared Y.Doc on the sync server (ROOM/f/PATH) beside this machine's workspace doc of the file,
// bridged by Yjs deltas both ways: what the editor, a session or the disk does to the file goes to
// the shared doc, what arrives from other machines goes into the workspace doc (which puts it in
// the editor's buffer or on disk, and keeps every session's undo history, so revert still works).
//
// Linking starts from the file's base (its text when this machine took it in), built with a client
// id derived from that text: two machines with the same checkout build the same Yjs items, so the
// base is not doubled. Local changes since the base go in as a diff, merging with everyone else's.
// A machine whose base differs from the shared one takes the shared text (and says so).
import { createHash } from "node:crypto";
import type { HocuspocusProvider } from "@hocuspocus/provider";
import * as Y from "yjs";
import type { Logger } from "../log.ts";
import type { Workspace, WorkspaceFile } from "../sessions/workspace.ts";
import { spliceYText as splice, textSplices } from "../sessions/text-diff.ts";
import type { SyncConnection } from "./connection.ts";
import type { FileBases } from "./file-bases.ts";
import { fileDoc } from "./names.ts";

/** Origin of changes this bridge applies to the workspace doc (they came from other machines). */
export const SYNC_ORIGIN = "sync";
/** Origin of changes this bridge applies to the shared doc (they came from this machine). */
const LOCAL_ORIGIN = "local";
/** How long a first link waits for the server's copy before it goes on offline (merging later). */
const FIRST_SYNC_MS = 5_000;

export interface FileSyncOptions {
  workspace: Workspace;
  connection: SyncConnection;
  bases: FileBases;
  room: string;
  log?: Logger;
  warn(message: string): void;
}

interface Link {
  provider: HocuspocusProvider;
  shared: Y.Doc;
  stop(): void;
}

export class FileSync {
  private readonly links = new Map<string, Promise<Link | undefined>>();
  private readonly options: FileSyncOptions;

  constructor(options: FileSyncOptions) {
    this.options = options;
  }

  get size(): number {
    return this.links.size;
  }

  /** Links a file (by its absolute path and its workspace-relative one); once per file. */
  link(abs: string, rel: string): Promise<Link | undefined> {
    let link = this.links.get(rel);
    if (!link) {
      link = this.start(abs, rel).catch((error: unknown) => {
        this.options.log?.warn({ err: error, file: rel }, "a file could not be shared");
        this.links.delete(rel);
        return undefined;
      });
      this.links.set(rel, link);
    }
    return link;
  }

  /** The shared text of a linked file (tests, health). */
  async textOf(rel: string): Promise<string | undefined> {
    return (await this.links.get(rel))?.shared.getText("t").toString();
  }

  dispose(): void {
    for (const link of this.links.values()) void link.then((l) => l?.stop());
    this.links.clear();
  }

  private async start(abs: string, rel: string): Promise<Link> {
    const { workspace, connection, bases, room } = this.options;
    const file = await workspace.take(abs);
    const base = bases.take(abs) ?? file.initial;
    const shared = new Y.Doc();
    const { provider, synced } = connection.open(fileDoc(room, rel), shared);
    await synced(FIRST_SYNC_MS);
    // From here to the bridge, nothing awaits: no change can slip between the two docs.
    this.adopt(file, shared, base, rel);
    const stop = bridge(file, shared);
    return {
      provider,
      shared,
      stop: () => {
        stop();
        connection.close(provider);
        shared.destroy();
      },
    };
  }

  /** Brings the shared doc and the workspace doc to one text (see the header). */
  private adopt(file: WorkspaceFile, shared: Y.Doc, base: string, rel: string): void {
    const meta = shared.getMap<string>("meta");
    const sharedText = shared.getText("t");
    const baseId = baseHash(base);
    const known = meta.get("base");
    if (known === undefined || known === baseId) {
      // This machine's changes since the base, made on the base's own items, then merged.
      const fork = new Y.Doc();
      Y.applyUpdate(fork, baseUpdate(base));
      const atBase = Y.encodeStateVector(fork);
      splice(fork, fork.getText("t"), textSplices(base, file.text.toString()), LOCAL_ORIGIN);
      shared.transact(() => {
        Y.applyUpdate(shared, baseUpdate(base));
        Y.applyUpdate(shared, Y.encodeStateAsUpdate(fork, atBase));
        if (known === undefined) meta.set("base", baseId);
      }, LOCAL_ORIGIN);
      fork.destroy();
    } else if (sharedText.toString() !== file.text.toString()) {
      this.options.warn(`opencode-lsp sync: ${rel} here differed from the shared session's copy; it now shows the shared text.`);
    }
    splice(file.doc, file.text, textSplices(file.text.toString(), sharedText.toString()), SYNC_ORIGIN);
  }
}

/** Keeps two Y.Texts equal by forwarding each one's deltas to the other. */
function bridge(file: WorkspaceFile, shared: Y.Doc): () => void {
  const sharedText = shared.getText("t");
  const toShared = (event: Y.YTextEvent, tx: Y.Transaction) => {
    if (tx.origin === SYNC_ORIGIN) return;
    shared.transact(() => sharedText.applyDelta(event.delta), LOCAL_ORIGIN);
  };
  const toLocal = (event: Y.YTextEvent, tx: Y.Transaction) => {
    if (tx.origin === LOCAL_ORIGIN) return;
    file.doc.transact(() => file.text.applyDelta(event.delta), SYNC_ORIGIN);
  };
  file.text.observe(toShared);
  sharedText.observe(toLocal);
  return () => {
    file.text.unobserve(toShared);
    sharedText.unobserve(toLocal);
  };
}

function baseHash(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 22);
}

/** The base text as a Yjs update from a client id derived from the text: the same bytes on every machine. */
function baseUpdate(base: string): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = createHash("sha256").update(base).digest().readUInt32BE(0) || 1;
  doc.getText("t").insert(0, base);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

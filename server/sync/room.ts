// The room: this machine's sessions and every other machine's, kept in step through the sync
// server. It is the session manager's observer (sessions/manager.ts): a session created here is
// announced in the room's index and gets its own document (meta, transcript, the update stream,
// the files it touched, turn and revert requests); a session another machine announced is joined
// and appears here as a session like any other (listed, loadable, promptable). Updates a session
// publishes here go to its document; those from other machines are published here on the bus, so
// the editor front streams them as its own. A turn waits for the session's lease (turns.ts); a
// revert asks every machine that edited for the session to undo its own edits (the undo history
// is where the edits were made).
import { randomUUID } from "node:crypto";
import type { HocuspocusProvider } from "@hocuspocus/provider";
import * as Y from "yjs";
import type { Bus } from "../bus/bus.ts";
import type { SessionUpdate } from "../bus/events.ts";
import type { Logger } from "../log.ts";
import type { Message } from "../providers/types.ts";
import type { AnySession, SessionManager, SessionObserver } from "../sessions/manager.ts";
import { writeTranscript } from "../sessions/session.ts";
import type { SyncConnection } from "./connection.ts";
import type { FileSync } from "./file-sync.ts";
import { indexDoc, localPath, sessionDoc, validSessionId } from "./names.ts";
import { takeTurn } from "./turns.ts";
import { fromWire, toWire, type WireUpdate } from "./wire.ts";

/** How long joining waits for a document's first sync, and a revert for the other machines' answers. */
const JOIN_MS = 5_000;
const REVERT_ANSWER_MS = 5_000;

interface IndexEntry {
  title: string;
  model: string;
  createdAt: string;
  machine: string;
}

interface RevertRequest {
  id: string;
  by: string;
}

export interface RoomSyncOptions {
  manager: SessionManager;
  bus: Bus;
  root: string;
  room: string;
  machine: string;
  connection: SyncConnection;
  files: FileSync;
  log?: Logger;
}

interface Linked {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  stop(): void;
}

/** The parts of a session's document. */
function partsOf(doc: Y.Doc) {
  return {
    meta: doc.getMap<string>("meta"),
    transcript: doc.getArray<Message>("transcript"),
    updates: doc.getArray<WireUpdate>("updates"),
    files: doc.getMap<string>("files"),
    writers: doc.getMap<boolean>("writers"),
    reverts: doc.getArray<RevertRequest>("reverts"),
    acks: doc.getMap<number>("acks"),
  };
}

export class RoomSync implements SessionObserver {
  private readonly options: RoomSyncOptions;
  private readonly index = new Y.Doc();
  private indexProvider: HocuspocusProvider | undefined;
  private readonly linked = new Map<string, Linked>();
  private readonly joining = new Set<string>();
  private readonly leaving = new Set<string>();
  /** Set while an update from another machine is published here (so it is not sent back). */
  private relaying = false;
  private stopBus: (() => void) | undefined;

  constructor(options: RoomSyncOptions) {
    this.options = options;
  }

  get size(): number {
    return this.linked.size;
  }

  /** Other machines in the room now (by the index document's awareness). */
  get peers(): number {
    return Math.max(0, (this.indexProvider?.awareness?.getStates().size ?? 1) - 1);
  }

  private get sessions(): Y.Map<IndexEntry> {
    return this.index.getMap<IndexEntry>("sessions");
  }

  /** Joins the room: resolves once the sessions already there are joined (or the wait ran out). */
  async start(): Promise<void> {
    const { connection, room, machine, manager, bus } = this.options;
    const { provider, synced } = connection.open(indexDoc(room), this.index, { awareness: true });
    this.indexProvider = provider;
    provider.setAwarenessField("machine", machine);
    this.sessions.observe((event, tx) => {
      if (tx.local) return;
      for (const [id, change] of event.changes.keys) {
        if (change.action === "delete") this.leave(id);
        else void this.join(id);
      }
    });
    this.stopBus = bus.on("session.update", (e) => this.sendUpdate(e.sessionId, e.update));
    manager.observe(this);
    await synced(JOIN_MS);
    await Promise.all([...this.sessions.keys()].map((id) => this.join(id)));
  }

  dispose(): void {
    this.options.manager.observe(undefined);
    this.stopBus?.();
    for (const id of [...this.linked.keys()]) this.unlink(id);
    if (this.indexProvider) this.options.connection.close(this.indexProvider);
    this.index.destroy();
  }

  // The manager's observer --------------------------------------------------------------------

  created(session: AnySession): void {
    if (this.joining.has(session.id) || this.linked.has(session.id)) return;
    const doc = new Y.Doc();
    const parts = partsOf(doc);
    doc.transact(() => {
      parts.meta.set("title", session.title);
      parts.meta.set("model", session.model);
      parts.meta.set("createdAt", session.createdAt.toISOString());
    });
    const { provider, synced } = this.options.connection.open(sessionDoc(this.options.room, session.id), doc);
    this.attach(session.id, doc, provider);
    // A session restored here (retention local) brings its history, unless the room has it already.
    void synced(JOIN_MS).then(() => {
      if (parts.transcript.length > 0 || (session.messageCount === 0 && session.updates.length === 0)) return;
      doc.transact(() => {
        parts.transcript.push(session.messages.map((m) => structuredClone(m)));
        parts.updates.push(session.updates.flatMap((u) => toWire(this.options.root, u) ?? []));
      });
    });
    this.index.transact(() => {
      this.sessions.set(session.id, { title: session.title, model: session.model, createdAt: session.createdAt.toISOString(), machine: this.options.machine });
    });
  }

  ended(id: string): void {
    if (!this.leaving.has(id) && this.sessions.has(id)) this.index.transact(() => this.sessions.delete(id));
    this.unlink(id);
  }

  async beforeTurn(session: AnySession): Promise<(() => Promise<void>) | undefined> {
    const linked = this.linked.get(session.id);
    if (!linked) return undefined;
    const { connection, machine, log } = this.options;
    const turn = await takeTurn(linked.provider, linked.doc, `${machine}/${randomUUID()}`, () => connection.connected, log);
    const { transcript } = partsOf(linked.doc);
    // The turn continues from the transcript as the last turn (wherever it ran) left it.
    // (An empty shared transcript means this machine is ahead: a history not announced yet.)
    if (transcript.length > 0 && transcript.length !== session.messageCount) session.replaceMessages(transcript.toArray());
    return async () => {
      if (!this.linked.has(session.id)) return;
      writeTranscript(partsOf(linked.doc).transcript, session.messages);
      turn.release(linked.doc);
    };
  }

  async reverted(id: string): Promise<number> {
    const linked = this.linked.get(id);
    if (!linked) return 0;
    const { machine } = this.options;
    const { reverts, writers, acks } = partsOf(linked.doc);
    const request = randomUUID();
    const others = [...writers.keys()].filter((m) => m !== machine);
    linked.doc.transact(() => reverts.push([{ id: request, by: machine }]));
    if (others.length === 0) return 0;
    const answered = () => others.every((m) => acks.has(`${request} ${m}`));
    if (!answered()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, REVERT_ANSWER_MS);
        function finish() {
          clearTimeout(timer);
          acks.unobserve(check);
          resolve();
        }
        function check() {
          if (answered()) finish();
        }
        acks.observe(check);
      });
    }
    return others.reduce((sum, m) => sum + (acks.get(`${request} ${m}`) ?? 0), 0);
  }

  // Other machines' sessions ------------------------------------------------------------------

  private async join(id: string): Promise<void> {
    const { manager, connection, room, root, log } = this.options;
    if (!validSessionId(id) || this.linked.has(id) || this.joining.has(id) || manager.get(id)) return;
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.joining.add(id);
    const doc = new Y.Doc();
    const { provider, synced } = connection.open(sessionDoc(room, id), doc);
    try {
      await synced(JOIN_MS);
      if (!this.sessions.has(id)) throw new Error("ended while joining");
      const parts = partsOf(doc);
      const stored = {
        id,
        title: String(parts.meta.get("title") ?? entry.title),
        model: String(parts.meta.get("model") ?? entry.model),
        createdAt: String(parts.meta.get("createdAt") ?? entry.createdAt),
        messages: parts.transcript.toArray(),
        updates: parts.updates.toArray().flatMap((w) => fromWire(root, w) ?? []),
      };
      try {
        manager.create({ model: stored.model, title: stored.title }, stored);
      } catch {
        manager.create({ title: stored.title }, stored); // this machine cannot use that model: its own default
      }
      this.attach(id, doc, provider);
      for (const rel of parts.files.keys()) this.linkFile(rel);
    } catch (error) {
      log?.warn({ session: id, err: error }, "could not join a shared session");
      connection.close(provider);
      doc.destroy();
    } finally {
      this.joining.delete(id);
    }
  }

  /** The session was ended on another machine: it ends here too. */
  private leave(id: string): void {
    this.leaving.add(id);
    try {
      this.options.manager.end(id);
    } finally {
      this.leaving.delete(id);
    }
    this.unlink(id);
  }

  // Both --------------------------------------------------------------------------------------

  private attach(id: string, doc: Y.Doc, provider: HocuspocusProvider): void {
    const { manager, machine } = this.options;
    const parts = partsOf(doc);
    const onUpdates = (event: Y.YArrayEvent<WireUpdate>, tx: Y.Transaction) => {
      if (tx.local) return;
      for (const change of event.changes.delta) for (const wire of (change.insert as WireUpdate[] | undefined) ?? []) this.relay(id, wire);
    };
    const onTranscript = (_event: unknown, tx: Y.Transaction) => {
      const session = manager.get(id);
      if (!tx.local && session && !session.busy) session.replaceMessages(parts.transcript.toArray());
    };
    const onFiles = (event: Y.YMapEvent<string>, tx: Y.Transaction) => {
      if (!tx.local) for (const rel of event.keysChanged) this.linkFile(rel);
    };
    const onReverts = (event: Y.YArrayEvent<RevertRequest>, tx: Y.Transaction) => {
      if (tx.local) return;
      for (const change of event.changes.delta) {
        for (const request of (change.insert as RevertRequest[] | undefined) ?? []) {
          if (request.by === machine) continue;
          void manager.workspace.revert(id).then((files) => doc.transact(() => parts.acks.set(`${request.id} ${machine}`, files)));
        }
      }
    };
    parts.updates.observe(onUpdates);
    parts.transcript.observe(onTranscript);
    parts.files.observe(onFiles);
    parts.reverts.observe(onReverts);
    this.linked.set(id, {
      doc,
      provider,
      stop: () => {
        parts.updates.unobserve(onUpdates);
        parts.transcript.unobserve(onTranscript);
        parts.files.unobserve(onFiles);
        parts.reverts.unobserve(onReverts);
        this.options.connection.close(provider);
        doc.destroy();
      },
    });
  }

  private unlink(id: string): void {
    this.linked.get(id)?.stop();
    this.linked.delete(id);
  }

  /** A session here published an update: into its document (an edit also shares its file). */
  private sendUpdate(id: string, update: SessionUpdate): void {
    if (this.relaying) return;
    const linked = this.linked.get(id);
    const wire = linked && toWire(this.options.root, update);
    if (!linked || !wire) return;
    const parts = partsOf(linked.doc);
    linked.doc.transact(() => {
      parts.updates.push([wire]);
      if (wire.kind === "edit") {
        if (!parts.files.has(wire.path)) parts.files.set(wire.path, this.options.machine);
        if (!parts.writers.has(this.options.machine)) parts.writers.set(this.options.machine, true);
      }
    });
    if (wire.kind === "edit") this.linkFile(wire.path);
  }

  /** An update from another machine's turn: published here as the session's own. */
  private relay(id: string, wire: WireUpdate): void {
    const update = fromWire(this.options.root, wire);
    const session = this.options.manager.get(id);
    if (!update || !session) return;
    this.relaying = true;
    try {
      session.publish(update);
    } finally {
      this.relaying = false;
    }
  }

  private linkFile(rel: string): void {
    const abs = localPath(this.options.root, rel);
    if (abs) void this.options.files.link(abs, rel);
  }
}


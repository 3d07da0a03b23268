// The workspace doc: one Yjs document per file of interest, the hub every party edits through.
//
// Parties: the editor (one replica per open file, see editor-replica.ts), each session (its own
// replica of the file, brought up to date when the session reads it; a write is a diff against that
// replica, so an edit computed on an older version merges with what others did since), and the disk (files changed by someone else
// are re-synced as a diff). After each change the hub publishes the merged text: an edit to the
// editor for open files, a write to disk for the rest. Each session's changes are tracked by its own
// UndoManager, so `revert` removes that session's edits alone.
import { readFile, stat } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as Y from "yjs";
import type { Logger } from "../log.ts";
import { audit } from "../privacy/audit.ts";
import { EDITOR_ORIGIN, EditorReplica, type ApplyEdit, type ContentChange } from "./editor-replica.ts";
import { spliceYText, textSplices, type Splice } from "./text-diff.ts";

export const DISK_ORIGIN = "disk";

/** Writes a file to disk (atomically; the path is already confined). */
export type WriteFile = (abs: string, text: string) => Promise<void>;

/**
 * An editor the workspace asks for its buffer of a file (ACP's fs/read_text_file), for `session`:
 * the text, unsaved changes included, or undefined when the editor has none. A file it answers for
 * is an open document from then on: its text is the editor's, and changes go back through ApplyEdit.
 */
export type ReadBuffer = (uri: string, session: string) => Promise<string | undefined>;

interface FileEntry {
  abs: string;
  uri: string;
  doc: Y.Doc;
  text: Y.Text;
  editor?: EditorReplica;
  /** What we last read from or wrote to disk, and its mtime: to tell others' changes from ours. */
  disk?: { text: string; mtimeMs: number };
  /** Per session: its UndoManager on this file. */
  undo: Map<string, Y.UndoManager>;
  /** Per session: its replica of the file, as of its last read: the base of its next write. */
  forks: Map<string, Y.Doc>;
  flushing?: Promise<void>;
  dirty: boolean;
  /** The editor refused our last edit (it was ahead): wait for its next didChange before resending. */
  awaitEditor?: boolean;
}

/** A file the workspace took in, as its observers see it (sync links it to other machines). */
export interface WorkspaceFile {
  abs: string;
  doc: Y.Doc;
  text: Y.Text;
  /** Its text when it was taken in. */
  initial: string;
}

export interface WorkspaceOptions {
  applyEdit?: ApplyEdit;
  writeFile: WriteFile;
  log?: Logger;
}

export interface WriteResult {
  created: boolean;
  /** The session's change as splices against the text it had read. */
  splices: Splice[];
}

export class Workspace {
  private readonly files = new Map<string, FileEntry>();
  private applyEdit: ApplyEdit | undefined;
  private readBuffer: ReadBuffer | undefined;
  private readonly writeFile: WriteFile;
  private readonly log: Logger | undefined;
  private readonly fileObservers = new Set<(file: WorkspaceFile) => void>();

  constructor(options: WorkspaceOptions) {
    this.applyEdit = options.applyEdit;
    this.writeFile = options.writeFile;
    this.log = options.log;
  }

  /** The front that can apply edits to open documents (set once the editor is connected). */
  setApplyEdit(applyEdit: ApplyEdit | undefined): void {
    this.applyEdit = applyEdit;
  }

  /** The front whose editor is asked for its buffers before a session reads or writes a file. */
  setReadBuffer(readBuffer: ReadBuffer | undefined): void {
    this.readBuffer = readBuffer;
  }

  has(abs: string): boolean {
    return this.files.has(abs);
  }

  isOpen(abs: string): boolean {
    return Boolean(this.files.get(abs)?.editor);
  }

  /** The merged text of a file of interest, or undefined when it is not one. */
  textOf(abs: string): string | undefined {
    return this.files.get(abs)?.text.toString();
  }

  // The editor -------------------------------------------------------------------------------

  /** didOpen: the editor's text is the truth for an open buffer. */
  openInEditor(uri: string, languageId: string, version: number, text: string): void {
    if (!uri.startsWith("file:")) return;
    const entry = this.entry(fileURLToPath(uri), text, EDITOR_ORIGIN);
    if (entry.text.toString() !== text) this.splice(entry.doc, entry.text, textSplices(entry.text.toString(), text), EDITOR_ORIGIN);
    entry.editor = new EditorReplica(uri, languageId, version, entry.doc);
  }

  /** didChange, in the editor's UTF-16 positions. */
  changeInEditor(uri: string, changes: ContentChange[], version: number): void {
    const entry = this.editorEntry(uri);
    if (!entry?.editor) return;
    entry.editor.applyEditorChanges(changes, version);
    entry.awaitEditor = false;
    if (entry.dirty) this.schedule(entry);
  }

  /** didClose: unsaved text is dropped with the buffer; the file follows the disk again. */
  async closeInEditor(uri: string): Promise<void> {
    const entry = this.editorEntry(uri);
    if (!entry?.editor) return;
    entry.editor.doc.destroy();
    entry.editor = undefined;
    await this.syncFromDisk(entry);
  }

  /** didSave: the buffer's text is now on disk. */
  savedInEditor(uri: string): void {
    const entry = this.editorEntry(uri);
    if (entry?.editor) entry.disk = { text: entry.editor.getText(), mtimeMs: Date.now() };
  }

  /** Brings in the editor's buffer of a file, when the editor is one the workspace asks. */
  private async pullBuffer(abs: string, session: string): Promise<void> {
    if (!this.readBuffer) return;
    const uri = this.uriOf(abs);
    const text = await this.readBuffer(uri, session);
    if (text === undefined) return;
    const editor = this.files.get(abs)?.editor;
    if (editor) this.changeInEditor(uri, [{ text }], editor.version + 1);
    else this.openInEditor(uri, "plaintext", 0, text);
  }

  private editorEntry(uri: string): FileEntry | undefined {
    return uri.startsWith("file:") ? this.files.get(fileURLToPath(uri)) : undefined;
  }

  // Sessions ---------------------------------------------------------------------------------

  /**
   * A session reads a file. With `track`, this version becomes the base of the session's next
   * write (the model saw it). Files no party has touched are read from disk without loading them.
   */
  async read(abs: string, session: string, track: boolean): Promise<string | undefined> {
    if (track) await this.pullBuffer(abs, session);
    let entry = this.files.get(abs);
    if (!entry && !track) return undefined;
    entry ??= await this.load(abs);
    if (!entry) return undefined;
    if (!entry.editor) await this.syncFromDisk(entry);
    if (track) catchUp(this.fork(entry, session), entry.doc);
    return entry.text.toString();
  }

  /** A session writes a file: its change against the version it read merges into the current one. */
  async write(abs: string, text: string, session: string): Promise<WriteResult> {
    await this.pullBuffer(abs, session);
    let entry = this.files.get(abs) ?? (await this.load(abs));
    const created = !entry;
    entry ??= this.entry(abs, "", DISK_ORIGIN);
    if (!entry.editor && !created) await this.syncFromDisk(entry);
    const fork = this.fork(entry, session);
    const forkText = fork.getText("t");
    const splices = textSplices(forkText.toString(), text);
    this.splice(fork, forkText, splices, session);
    const update = Y.encodeStateAsUpdate(fork, Y.encodeStateVector(entry.doc));
    this.undoManager(entry, session);
    Y.applyUpdate(entry.doc, update, session);
    await this.flush(entry);
    return { created, splices };
  }

  /** Undoes every edit `session` made, keeping everyone else's. */
  async revert(session: string): Promise<number> {
    let reverted = 0;
    for (const entry of this.files.values()) {
      const undo = entry.undo.get(session);
      if (!undo || undo.undoStack.length === 0) continue;
      while (undo.undoStack.length > 0) undo.undo();
      reverted++;
      await this.flush(entry);
    }
    return reverted;
  }

  /** Forgets a session: its undo history and its replicas. */
  endSession(session: string): void {
    for (const entry of this.files.values()) {
      entry.undo.get(session)?.destroy();
      entry.undo.delete(session);
      entry.forks.get(session)?.destroy();
      entry.forks.delete(session);
    }
  }

  uriOf(abs: string): string {
    return pathToFileURL(abs).href;
  }

  // Observers --------------------------------------------------------------------------------

  /** Told about each file the workspace takes in, from now on. Returns the unsubscribe. */
  onFile(observer: (file: WorkspaceFile) => void): () => void {
    this.fileObservers.add(observer);
    return () => this.fileObservers.delete(observer);
  }

  /** A file of interest by path: loaded from disk, or made empty when it does not exist (another machine created it). */
  async take(abs: string): Promise<WorkspaceFile> {
    const entry = this.files.get(abs) ?? (await this.load(abs)) ?? this.entry(abs, "", DISK_ORIGIN);
    return { abs, doc: entry.doc, text: entry.text, initial: entry.text.toString() };
  }

  // Internals --------------------------------------------------------------------------------

  private entry(abs: string, initial: string, origin: string): FileEntry {
    let entry = this.files.get(abs);
    if (entry) return entry;
    const doc = new Y.Doc();
    const text = doc.getText("t");
    if (initial) doc.transact(() => text.insert(0, initial), origin);
    entry = { abs, uri: pathToFileURL(abs).href, doc, text, undo: new Map(), forks: new Map(), dirty: false };
    const created = entry;
    doc.on("update", (_update: Uint8Array, updateOrigin: unknown) => {
      if (updateOrigin === EDITOR_ORIGIN) return;
      created.dirty = true;
      if (updateOrigin !== DISK_ORIGIN || created.editor) this.schedule(created);
    });
    this.files.set(abs, entry);
    for (const observer of this.fileObservers) observer({ abs, doc, text, initial });
    return entry;
  }

  private async load(abs: string): Promise<FileEntry | undefined> {
    try {
      const [text, info] = await Promise.all([readFile(abs, "utf8"), stat(abs)]);
      const entry = this.files.get(abs) ?? this.entry(abs, text, DISK_ORIGIN);
      entry.disk ??= { text, mtimeMs: info.mtimeMs };
      return entry;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Someone else changed the file on disk: bring the change in as a diff, not a reload. */
  private async syncFromDisk(entry: FileEntry): Promise<void> {
    let info;
    try {
      info = await stat(entry.abs);
    } catch {
      return;
    }
    if (entry.disk && info.mtimeMs === entry.disk.mtimeMs) return;
    const text = await readFile(entry.abs, "utf8");
    if (entry.disk?.text === text) {
      entry.disk.mtimeMs = info.mtimeMs;
      return;
    }
    entry.disk = { text, mtimeMs: info.mtimeMs };
    const current = entry.text.toString();
    if (current !== text) this.splice(entry.doc, entry.text, textSplices(current, text), DISK_ORIGIN);
  }

  /** The session's replica of a file: made from the current state the first time. */
  private fork(entry: FileEntry, session: string): Y.Doc {
    let fork = entry.forks.get(session);
    if (!fork) {
      fork = new Y.Doc();
      catchUp(fork, entry.doc);
      entry.forks.set(session, fork);
    }
    return fork;
  }

  private undoManager(entry: FileEntry, session: string): Y.UndoManager {
    let undo = entry.undo.get(session);
    if (!undo) {
      undo = new Y.UndoManager(entry.text, { trackedOrigins: new Set([session]), captureTimeout: 0 });
      entry.undo.set(session, undo);
    }
    return undo;
  }

  private splice(doc: Y.Doc, text: Y.Text, splices: Splice[], origin: unknown): void {
    spliceYText(doc, text, splices, origin);
  }

  /** Publishes changes after the current synchronous work. */
  private schedule(entry: FileEntry): void {
    queueMicrotask(() => {
      this.flush(entry).catch((error: unknown) => this.log?.error({ err: error, file: entry.abs }, "publishing a change failed"));
    });
  }

  /** Brings the merged text to where it shows: the editor's buffer, or the file on disk. */
  private async flush(entry: FileEntry): Promise<void> {
    while (entry.flushing) await entry.flushing;
    if (!entry.dirty || (entry.editor && entry.awaitEditor)) return;
    entry.dirty = false;
    // An editor that cannot apply edits gets the file written to disk instead.
    entry.flushing = (entry.editor && this.applyEdit ? this.pushToEditor(entry, entry.editor) : this.pushToDisk(entry)).finally(() => {
      entry.flushing = undefined;
    });
    await entry.flushing;
  }

  private async pushToEditor(entry: FileEntry, editor: EditorReplica): Promise<void> {
    const prepared = editor.prepareEdit();
    if (prepared === "busy") {
      entry.dirty = true; // sent once the edit on its way is settled (next didChange)
      entry.awaitEditor = true;
      return;
    }
    if (!prepared || !this.applyEdit) return;
    let applied = false;
    try {
      applied = await this.applyEdit(entry.uri, prepared.version, prepared.edits);
    } catch (error) {
      this.log?.warn({ err: error, uri: entry.uri }, "workspace/applyEdit failed");
    }
    const caughtUp = editor.editResult(applied);
    // Refused (the user typed first): it is recomputed and resent after the next didChange — or at
    // once when that didChange came while the edit was out (none may follow).
    if (!applied) {
      entry.dirty = true;
      entry.awaitEditor = !caughtUp;
      if (caughtUp) this.schedule(entry);
    }
  }

  private async pushToDisk(entry: FileEntry): Promise<void> {
    const text = entry.text.toString();
    if (entry.disk?.text === text) return;
    await this.writeFile(entry.abs, text);
    audit({ event: "file.written_outside_open_set", path: entry.abs, bytes: Buffer.byteLength(text) });
    const info = await stat(entry.abs);
    entry.disk = { text, mtimeMs: info.mtimeMs };
  }

  /** Drops everything (server shutdown, retention none). */
  destroy(): void {
    for (const entry of this.files.values()) {
      for (const undo of entry.undo.values()) undo.destroy();
      for (const fork of entry.forks.values()) fork.destroy();
      entry.editor?.doc.destroy();
      entry.doc.destroy();
    }
    this.files.clear();
  }
}

/** Brings a replica up to date with the hub. */
function catchUp(replica: Y.Doc, hub: Y.Doc): void {
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(hub, Y.encodeStateVector(replica)), "hub");
}

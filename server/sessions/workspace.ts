// The workspace doc: one Yjs document per file of interest, the hub every party edits through.
//
// Parties: the editor (one replica per open file, see editor-replica.ts), each session (its own
// replica of the file, brought up to date when the session reads it; a write is a diff against
// that replica, so an edit computed on an older version merges with what others did since), and
// the disk (files changed by someone else are re-synced as a diff). After each change the hub
// publishes the merged text (publisher.ts): an edit to the editor for open files, a write to disk
// for the rest. A session's write returns once its change is there, and fails — taken back, with
// the reason, and the user told — when it cannot get there; under review (review.ts) it stays in
// the session's replica until the user decides. Each session's changes are tracked by its own
// UndoManager, so `revert` removes that session's edits alone.
import { stat } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as Y from "yjs";
import type { Logger } from "../log.ts";
import { DeliveryError } from "./delivery.ts";
import { EDITOR_ORIGIN, EditorReplica, type ApplyEdit, type ApplyEdits, type ContentChange } from "./editor-replica.ts";
import { createEntry, type FileEntry } from "./file-entry.ts";
import { Publisher, type EditTiming, type WriteFile } from "./publisher.ts";
import { ReviewDesk, type ReviewNames } from "./review.ts";
import { reviewHost } from "./review-host.ts";
import { catchUp, exists, readText } from "./replicas.ts";
import { spliceYText, textSplices, type Splice } from "./text-diff.ts";

export const DISK_ORIGIN = "disk";
export type { WriteFile, EditTiming };

/**
 * An editor the workspace asks for its buffer of a file (ACP's fs/read_text_file), for `session`:
 * the text, unsaved changes included, or undefined when the editor has none. A file it answers for
 * is an open document from then on: its text is the editor's, and changes go back through ApplyEdit.
 */
export type ReadBuffer = (uri: string, session: string) => Promise<string | undefined>;

/** Whether a session's write of a file (by `tool`) waits for the user's review (config `review`). */
export type ReviewPolicy = (abs: string, session: string, tool: string | undefined) => boolean;

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
  /** The edits' timeouts (config `edits`), read at each use. */
  timing: () => EditTiming;
  /** Tells the user something went wrong (window/showMessage in the editor fronts). */
  notice?: (message: string) => void;
  /** Paths and sessions as the model and the user are told of them (review notes, edit labels). */
  names?: ReviewNames;
}

export interface WriteResult {
  created: boolean;
  /** The session's change as splices against the text it had read. */
  splices: Splice[];
  /** Under review: how many hunks of the session's wait for the user in this file (the file does not have them yet). */
  pending?: number;
}

export class Workspace {
  private readonly files = new Map<string, FileEntry>();
  private applyEdit: ApplyEdit | undefined;
  private applyEdits: ApplyEdits | undefined;
  private reviewPolicy: ReviewPolicy | undefined;
  /** Sessions' changes waiting for the user's verdict (review before write). */
  readonly review: ReviewDesk;
  private readBuffer: ReadBuffer | undefined;
  private readonly fileObservers = new Set<(file: WorkspaceFile) => void>();
  private readonly publisher: Publisher;
  private readonly options: WorkspaceOptions;

  constructor(options: WorkspaceOptions) {
    this.options = options;
    this.applyEdit = options.applyEdit;
    this.publisher = new Publisher({
      writeFile: options.writeFile,
      applyEdit: () => this.applyEdit,
      applyEdits: () => this.applyEdits,
      timing: options.timing,
      ...(options.log ? { log: options.log } : {}),
      ...(options.notice ? { notice: options.notice } : {}),
    });
    this.review = new ReviewDesk(
      reviewHost({ files: this.files, publisher: this.publisher, undoManager: (entry, session) => this.undoManager(entry, session), forget: (entry, reason) => this.forget(entry, reason), ...(options.notice ? { notice: options.notice } : {}) }),
      options.names ?? { path: (abs) => abs, session: (id) => `session ${id}` },
    );
  }

  /** How the front applies an edit to several open documents at once (one undo step). */
  setApplyEdits(applyEdits: ApplyEdits | undefined): void {
    this.applyEdits = applyEdits;
  }

  /** Which sessions' writes wait for review (none without a policy). */
  setReviewPolicy(policy: ReviewPolicy | undefined): void {
    this.reviewPolicy = policy;
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
  openInEditor(uri: string, _languageId: string, version: number, text: string): void {
    if (!uri.startsWith("file:")) return;
    const entry = this.entry(fileURLToPath(uri), text, EDITOR_ORIGIN);
    if (entry.text.toString() !== text) spliceYText(entry.doc, entry.text, textSplices(entry.text.toString(), text), EDITOR_ORIGIN);
    entry.editor?.close();
    entry.editor = new EditorReplica(uri, version, entry.doc);
  }

  /** didChange, in the editor's UTF-16 positions. */
  changeInEditor(uri: string, changes: ContentChange[], version: number): void {
    const entry = this.editorEntry(uri);
    if (!entry?.editor) return;
    this.publisher.editorChanged(entry, entry.editor.applyEditorChanges(changes, version));
  }

  /**
   * didClose. The buffer's unsaved text goes with it: the replica (what the buffer held) follows the
   * disk, and what the buffer never took (an edit still out) merges in and is written to disk.
   */
  async closeInEditor(uri: string): Promise<void> {
    const entry = this.editorEntry(uri);
    const editor = entry?.editor;
    if (!entry || !editor) return;
    const onDisk = await readText(entry.abs).catch((error: unknown) => {
      this.options.log?.warn({ err: error, uri }, "reading a closed buffer's file failed");
      return { text: editor.getText(), mtimeMs: 0 };
    });
    if (entry.editor !== editor) return; // reopened meanwhile
    entry.editor = undefined;
    if (onDisk === "binary" || onDisk === undefined) {
      editor.close();
      this.forget(entry, "the buffer was closed and the file is no longer a text file on disk");
      editor.doc.destroy();
      return;
    }
    editor.close(onDisk.text);
    entry.disk = onDisk;
    editor.followBuffer(onDisk.text);
    editor.doc.destroy();
    this.publisher.editorClosed(entry);
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
   * write (the model saw it). Files no party has touched are read from disk without loading them;
   * binary files are never loaded.
   */
  async read(abs: string, session: string, track: boolean): Promise<string | undefined> {
    if (track) await this.pullBuffer(abs, session);
    let entry = this.files.get(abs);
    if (!entry && !track) return undefined;
    entry ??= await this.load(abs);
    if (!entry) return undefined;
    if (!entry.editor && (await this.syncFromDisk(entry)) === "gone") {
      this.forget(entry, "the file was deleted on disk");
      return undefined;
    }
    if (!track) return entry.text.toString();
    const fork = this.fork(entry, session);
    catchUp(fork, entry.doc);
    // With changes of its own under review, the session sees its view: the file as it would be.
    return this.review.isPending(abs, session) ? fork.getText("t").toString() : entry.text.toString();
  }

  /**
   * A session writes a file: its change against the version it read merges into the current one.
   * Returns once the change is in the editor's buffer (open files) or on disk; throws a
   * DeliveryError, with the change taken back, when it cannot get there.
   */
  async write(abs: string, text: string, session: string, tool?: string): Promise<WriteResult> {
    const reviewed = this.reviewPolicy?.(abs, session, tool) ?? false;
    await this.pullBuffer(abs, session);
    let entry = this.files.get(abs);
    if (entry && !entry.editor && (await this.syncFromDisk(entry)) === "gone") {
      const hadRead = entry.forks.has(session);
      this.forget(entry, "the file was deleted on disk");
      if (hadRead) throw new DeliveryError("the file was deleted (or became binary) on disk after it was read; nothing was written. Read it again, or create it anew with the write tool.");
      entry = undefined;
    }
    entry ??= await this.load(abs);
    let created = false;
    if (!entry) {
      created = !(await exists(abs)); // a binary file is replaced, not created
      entry = this.entry(abs, "", DISK_ORIGIN);
      if (!reviewed) entry.dirty = true; // even an empty file is written
    }
    const fork = this.fork(entry, session);
    const forkText = fork.getText("t");
    const splices = textSplices(forkText.toString(), text);
    if (splices.length === 0 && !created) return { created, splices, ...(reviewed ? { pending: this.review.list({ abs, sessionId: session }).length } : {}) };
    spliceYText(fork, forkText, splices, session);
    if (reviewed) return { created, splices, pending: this.review.proposed(entry, session) };
    const update = Y.encodeStateAsUpdate(fork, Y.encodeStateVector(entry.doc));
    const undo = this.undoManager(entry, session);
    Y.applyUpdate(entry.doc, update, session);
    const item = undo.undoStack.at(-1);
    try {
      await this.publisher.deliver(entry, fork.clientID, Y.getState(fork.store, fork.clientID));
    } catch (error) {
      const reason = (error as Error).message;
      // Taken back, so nothing delivers it later: the session was told it failed.
      if (this.files.get(abs) === entry && item && undo.undoStack.at(-1) === item) undo.undo();
      this.options.notice?.(`OpenCode: an edit to ${abs} was not applied: ${reason}.`);
      throw new DeliveryError(`the edit did not reach ${entry.editor ? "the editor's buffer" : "the file"}: ${reason}. It was taken back (the file does not have it); read the file again before retrying.`);
    }
    // Written past review (its rules changed): what it had pending there came along.
    if (this.review.isPending(abs, session)) this.review.proposed(entry, session);
    return { created, splices };
  }

  /** Undoes every edit `session` made, keeping everyone else's. */
  async revert(session: string): Promise<number> {
    this.review.discard(session);
    let reverted = 0;
    for (const entry of this.files.values()) {
      const undo = entry.undo.get(session);
      if (!undo || undo.undoStack.length === 0) continue;
      while (undo.undoStack.length > 0) undo.undo();
      reverted++;
      await this.publisher.flush(entry);
    }
    return reverted;
  }

  /** Forgets a session: its undo history and its replicas. */
  endSession(session: string): void {
    this.review.discard(session);
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
    entry = createEntry(abs, pathToFileURL(abs).href);
    const created = entry;
    if (initial) entry.doc.transact(() => created.text.insert(0, initial), origin);
    entry.doc.on("update", (_update: Uint8Array, updateOrigin: unknown) => {
      this.review.fileChanged(abs);
      if (updateOrigin === EDITOR_ORIGIN) return;
      created.dirty = true;
      if (updateOrigin !== DISK_ORIGIN || created.editor) this.publisher.schedule(created);
    });
    this.files.set(abs, entry);
    for (const observer of this.fileObservers) observer({ abs, doc: entry.doc, text: entry.text, initial });
    return entry;
  }

  /** A text file from disk into the workspace doc; undefined when it does not exist or is binary. */
  private async load(abs: string): Promise<FileEntry | undefined> {
    const onDisk = await readText(abs);
    if (onDisk === undefined || onDisk === "binary") return undefined;
    const entry = this.files.get(abs) ?? this.entry(abs, onDisk.text, DISK_ORIGIN);
    entry.disk ??= onDisk;
    return entry;
  }

  /** Someone else changed the file on disk: bring the change in as a diff, not a reload. */
  private async syncFromDisk(entry: FileEntry): Promise<"gone" | undefined> {
    const seen = entry.disk;
    let info;
    try {
      info = await stat(entry.abs);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ENOENT" && entry.disk ? "gone" : undefined;
    }
    if (seen && info.mtimeMs === seen.mtimeMs) return undefined;
    const onDisk = await readText(entry.abs);
    // Another read, or a write of ours, came first: what it knows is as new (a later change is seen next time).
    if (entry.disk !== seen) return undefined;
    if (onDisk === undefined || onDisk === "binary") return entry.disk ? "gone" : undefined;
    if (onDisk.text === entry.writing) return undefined; // our own write, landing
    if (entry.disk?.text === onDisk.text) {
      entry.disk.mtimeMs = onDisk.mtimeMs;
      return undefined;
    }
    entry.disk = onDisk;
    const current = entry.text.toString();
    if (current !== onDisk.text) spliceYText(entry.doc, entry.text, textSplices(current, onDisk.text), DISK_ORIGIN);
    return undefined;
  }

  /** Drops a file that is gone: writes waiting on it fail with `reason`. */
  private forget(entry: FileEntry, reason: string): void {
    this.files.delete(entry.abs);
    this.review.forget(entry.abs);
    entry.editor?.close();
    entry.editor?.doc.destroy();
    this.publisher.drop(entry, reason);
    for (const undo of entry.undo.values()) undo.destroy();
    for (const fork of entry.forks.values()) fork.destroy();
    entry.doc.destroy();
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

  /** Drops everything (server shutdown, retention none). */
  destroy(): void {
    for (const entry of [...this.files.values()]) this.forget(entry, "the server is shutting down");
  }
}


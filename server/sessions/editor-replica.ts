// The editor's copy of one open file, as a Yjs replica of the workspace doc.
//
// The replica holds exactly what the editor's buffer holds (as far as we know): the editor's
// changes apply to it (LSP UTF-16 positions converted here, once, through a line index — a keystroke
// costs a Yjs insert and a line-length update, never a copy of the text)
// and flow to the workspace doc with origin "editor". What the workspace has that the editor
// lacks (sessions' edits, reverts) goes out as one workspace/applyEdit against the buffer's version.
//
// An edit goes through phases: "sent" while the request is out (didChange notifications are held);
// if the editor refused it, the held changes apply as typing and the edit is recomputed later; if
// it applied it, "echo" until the editor's next didChange tells what the buffer holds (echo-reading.ts:
// our edit echoed, with typing or not; dropped despite `applied: true`; or applied without a word).
// Only then does the replica take the edit. When no didChange comes in time (the workspace times it
// out) the edit counts as delivered on the editor's word, and the next didChange is read the same
// way; what follows a reading that was a guess goes out as one whole-buffer replacement, so the
// buffer and the replica agree again whatever the buffer held. A buffer closed before the editor's
// word is judged by the file it saved.
import * as Y from "yjs";
import { LineIndex } from "./line-index.ts";
import { differingSpan, splicesToEdits, textSplices, type Splice } from "./text-diff.ts";
import { readEcho, type EchoKind } from "./echo-reading.ts";

export const EDITOR_ORIGIN = "editor";
const HUB_ORIGIN = "hub";

export interface Position {
  line: number;
  character: number;
}

export interface TextEdit {
  range: { start: Position; end: Position };
  newText: string;
}

export type ContentChange = { range: { start: Position; end: Position }; text: string } | { text: string };

/** The editor's answer to workspace/applyEdit. */
export interface EditAnswer {
  applied: boolean;
  failureReason?: string;
}

/** How the replica reaches the editor. */
export type ApplyEdit = (uri: string, version: number, edits: TextEdit[]) => Promise<EditAnswer>;

/** Edits to several buffers as one workspace/applyEdit (one undo step), shown under `label`. */
export type ApplyEdits = (files: { uri: string; version: number; edits: TextEdit[] }[], label: string) => Promise<EditAnswer>;

/** One workspace/applyEdit of ours. */
export interface SentEdit {
  /** The workspace's changes the buffer lacked. */
  update: Uint8Array;
  /** The workspace's state vector when it was made: what the buffer holds once the edit is in. */
  state: Map<number, number>;
  /** The buffer's text it was computed against, that text with the edit, and the splices between them. */
  before: string;
  after: string;
  splices: Splice[];
  version: number;
  edits: TextEdit[];
}

type Notification = { changes: ContentChange[]; version: number };

type Phase =
  | { kind: "synced" }
  | { kind: "sent"; edit: SentEdit; held: Notification[] }
  | { kind: "echo"; edit: SentEdit; timedOut: boolean };

/** A position past any buffer's end: LSP clients clamp it to the end. */
const END = { line: 2 ** 31 - 1, character: 0 };

export class EditorReplica {
  readonly uri: string;
  readonly doc = new Y.Doc();
  private readonly text = this.doc.getText("t");
  private index: LineIndex;
  version: number;
  private phase: Phase = { kind: "synced" };
  /** What the buffer holds was last a best guess: the next edit replaces the whole buffer. */
  private unsure = false;
  private readonly hub: Y.Doc;
  private markClosed!: () => void;
  /** Resolves when the buffer is closed. */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(uri: string, version: number, hub: Y.Doc) {
    this.uri = uri;
    this.hub = hub;
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(hub), HUB_ORIGIN);
    this.version = version;
    this.index = new LineIndex(this.text.toString());
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === EDITOR_ORIGIN) Y.applyUpdate(hub, update, EDITOR_ORIGIN);
    });
  }

  getText(): string {
    return this.text.toString();
  }

  /**
   * Where our last edit is: "synced" (settled), "sent" (the request is out), "echo" (applied, its
   * didChange awaited), "unconfirmed" (applied, no didChange came in time).
   */
  get stage(): "synced" | "sent" | "echo" | "unconfirmed" {
    if (this.phase.kind === "echo" && this.phase.timedOut) return "unconfirmed";
    return this.phase.kind;
  }

  /** An edit of ours is out or waits for the editor's word on what it did. */
  get busy(): boolean {
    return this.phase.kind !== "synced";
  }

  /** The editor changed its buffer (a didChange). Returns how it read, when it settled an edit of ours. */
  applyEditorChanges(changes: ContentChange[], version: number): EchoKind | undefined {
    if (this.phase.kind === "sent") {
      this.phase.held.push({ changes, version });
      return undefined;
    }
    if (this.phase.kind === "echo") return changes.length > 0 ? this.settleEcho([{ changes, version }]) : undefined;
    this.doc.transact(() => {
      for (const change of changes) this.applyOne(change);
    }, EDITOR_ORIGIN);
    this.version = version;
    return undefined;
  }

  private applyOne(change: ContentChange): void {
    if ("range" in change) {
      const start = this.index.offsetAt(change.range.start);
      const end = Math.max(start, this.index.offsetAt(change.range.end));
      if (end > start) this.text.delete(start, end - start);
      if (change.text) this.text.insert(start, change.text);
      this.index.replace(start, end, change.text);
    } else {
      this.followBuffer(change.text);
    }
  }

  /** Brings the replica to the buffer's text `target` as a minimal diff (origin editor). */
  followBuffer(target: string): void {
    const current = this.text.toString();
    const splices = textSplices(current, target);
    this.doc.transact(() => {
      for (const s of splices) {
        if (s.deleteCount) this.text.delete(s.index, s.deleteCount);
        if (s.insert) this.text.insert(s.index, s.insert);
      }
    }, EDITOR_ORIGIN);
    this.reindex(current, splices, target);
  }

  /** Takes our edit into the replica: the buffer has it. */
  private take(edit: SentEdit): void {
    Y.applyUpdate(this.doc, edit.update, HUB_ORIGIN);
    this.reindex(edit.before, edit.splices, edit.after);
  }

  /**
   * The line index after `splices` turned `from` into `to`: updated in place, or rebuilt when a CR
   * is about (the index does not follow a CR and an LF joining into one line break, or parting).
   */
  private reindex(from: string, splices: Splice[], to: string): void {
    if (splices.length === 0) return;
    if (from.includes("\r") || to.includes("\r")) {
      this.index = new LineIndex(to);
      return;
    }
    for (const s of splices) this.index.replace(s.index, s.index + s.deleteCount, s.insert);
  }

  /**
   * The workspace's changes the editor lacks, as TextEdits against the buffer's current version;
   * undefined when there is nothing to send, "busy" while an edit of ours is not settled.
   */
  prepareEdit(): SentEdit | "busy" | undefined {
    if (this.phase.kind !== "synced") return "busy";
    const state = Y.decodeStateVector(Y.encodeStateVector(this.hub));
    const update = Y.encodeStateAsUpdate(this.hub, Y.encodeStateVector(this.doc));
    // The hub holds all the replica holds (the editor's changes reach it at once): its text is the replica's with the update.
    const after = this.hub.getText("t").toString();
    const before = this.text.toString();
    if (after === before) {
      // Nothing visible changed (e.g. an insert and its deletion): take the update silently.
      Y.applyUpdate(this.doc, update, HUB_ORIGIN);
      return undefined;
    }
    const splices = textSplices(before, after);
    const edits = this.unsure ? [{ range: { start: { line: 0, character: 0 }, end: END }, newText: after }] : splicesToEdits(splices, (offset) => this.index.positionAt(offset));
    const edit: SentEdit = { update, state, before, after, splices, version: this.version, edits };
    this.phase = { kind: "sent", edit, held: [] };
    return edit;
  }

  /**
   * The editor answered our workspace/applyEdit. Returns whether it reported changes meanwhile, and
   * how they read when they settled the edit.
   */
  editResult(applied: boolean): { caughtUp: boolean; reading?: EchoKind } {
    if (this.phase.kind !== "sent") return { caughtUp: false };
    const { edit, held } = this.phase;
    if (applied) {
      this.phase = { kind: "echo", edit, timedOut: false };
      return held.length > 0 ? { caughtUp: true, reading: this.settleEcho(held) } : { caughtUp: false };
    }
    // The editor was ahead, or will not take it: what it sent meanwhile is the user's typing.
    this.phase = { kind: "synced" };
    for (const { changes, version } of held) this.applyEditorChanges(changes, version);
    return { caughtUp: held.length > 0 };
  }

  /** No didChange came in time after `edit` was applied: it counts as delivered on the editor's word. */
  echoTimedOut(edit: SentEdit): boolean {
    if (this.phase.kind !== "echo" || this.phase.edit !== edit || this.phase.timedOut) return false;
    this.phase.timedOut = true;
    return true;
  }

  /** The editor's first word since it applied our edit: take the edit (unless it was dropped) and follow the buffer. */
  private settleEcho(notifications: Notification[]): EchoKind {
    if (this.phase.kind !== "echo") throw new Error("no edit awaits its echo");
    const { edit, timedOut } = this.phase;
    const version = notifications.at(-1)!.version;
    const changes = notifications.flatMap((n) => n.changes);
    const reading = readEcho({ before: edit.before, after: edit.after, changes, version, sentVersion: edit.version }, this.index);
    if (reading.kind !== "dropped") this.take(edit);
    this.followBuffer(reading.text);
    this.version = version;
    this.unsure = timedOut || reading.guess;
    this.phase = { kind: "synced" };
    return reading.kind;
  }

  /**
   * didClose, with the file's text on disk now. An edit of ours not yet confirmed counts as having
   * been in the buffer when the saved file is closer to the text with it than without it.
   */
  close(onDisk?: string): void {
    const edit = this.phase.kind === "synced" ? undefined : this.phase.edit;
    if (edit && onDisk !== undefined && differingSpan(onDisk, edit.after) < differingSpan(onDisk, edit.before)) this.take(edit);
    this.phase = { kind: "synced" };
    this.markClosed();
  }
}

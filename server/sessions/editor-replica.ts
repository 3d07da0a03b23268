// The editor's copy of one open file, as a Yjs replica of the workspace doc.
//
// The replica holds exactly what the editor's buffer holds (as far as we know): the editor's
// changes apply to it (LSP UTF-16 positions converted here, once, through a line index — a keystroke
// costs a Yjs insert and a line-length update, never a copy of the text)
// and flow to the workspace doc with origin "editor". What the workspace has that the editor
// lacks (sessions' edits, reverts) goes out as one workspace/applyEdit against the buffer's version.
// While that request is out, didChange notifications are held. If the editor applied the edit, the
// replica takes the CRDT update itself and then follows the buffer by diff (so the echo of our edit,
// in one didChange or several, mixed with typing or not, is never inserted twice); if the editor
// refused it (the user typed first), the held changes apply as typing and the edit is recomputed.
import { TextDocument } from "vscode-languageserver-textdocument";
import * as Y from "yjs";
import { LineIndex } from "./line-index.ts";
import { textSplices } from "./text-diff.ts";

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

/** How the replica reaches the editor: resolves whether the editor applied the edit. */
export type ApplyEdit = (uri: string, version: number, edits: TextEdit[]) => Promise<boolean>;

interface InFlight {
  update: Uint8Array;
  /** didChange notifications that arrived before the editor answered. */
  held: { changes: ContentChange[]; version: number }[];
}

export class EditorReplica {
  readonly uri: string;
  readonly doc = new Y.Doc();
  private readonly text = this.doc.getText("t");
  private index: LineIndex;
  private languageId: string;
  version: number;
  /** The editor's text while an edit of ours is out or being followed (null otherwise). */
  private buffer: string | null = null;
  private inFlight: InFlight | undefined;
  /** The editor applied our edit; until its buffer and the replica agree, follow the buffer by diff. */
  private following = false;
  private readonly hub: Y.Doc;

  constructor(uri: string, languageId: string, version: number, hub: Y.Doc) {
    this.uri = uri;
    this.hub = hub;
    Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(hub), HUB_ORIGIN);
    this.languageId = languageId;
    this.version = version;
    this.index = new LineIndex(this.text.toString());
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin === EDITOR_ORIGIN) Y.applyUpdate(hub, update, EDITOR_ORIGIN);
    });
  }

  getText(): string {
    return this.text.toString();
  }

  /** The editor changed its buffer (a didChange). */
  applyEditorChanges(changes: ContentChange[], version: number): void {
    if (this.inFlight) {
      this.inFlight.held.push({ changes, version });
      return;
    }
    if (this.following) {
      this.buffer = applyToText(this.languageId, this.buffer ?? "", changes, version);
      this.version = version;
      this.followBuffer();
      return;
    }
    this.doc.transact(() => {
      for (const change of changes) this.applyOne(change);
    }, EDITOR_ORIGIN);
    this.version = version;
  }

  /** Brings the replica to the buffer's text as a minimal diff (origin editor). */
  private followBuffer(): void {
    const target = this.buffer ?? "";
    const splices = textSplices(this.text.toString(), target);
    this.doc.transact(() => {
      for (const s of splices) {
        if (s.deleteCount) this.text.delete(s.index, s.deleteCount);
        if (s.insert) this.text.insert(s.index, s.insert);
      }
    }, EDITOR_ORIGIN);
    this.following = false;
    this.index = new LineIndex(target);
    this.buffer = null;
  }

  private applyOne(change: ContentChange): void {
    if ("range" in change) {
      const start = this.index.offsetAt(change.range.start);
      const end = Math.max(start, this.index.offsetAt(change.range.end));
      if (end > start) this.text.delete(start, end - start);
      if (change.text) this.text.insert(start, change.text);
      this.index.replace(start, end, change.text);
    } else {
      for (const s of textSplices(this.text.toString(), change.text)) {
        if (s.deleteCount) this.text.delete(s.index, s.deleteCount);
        if (s.insert) this.text.insert(s.index, s.insert);
      }
      this.index = new LineIndex(change.text);
    }
  }

  /**
   * The workspace's changes the editor lacks, as TextEdits against the buffer's current version;
   * undefined when there is nothing to send, "busy" while an edit is on its way.
   */
  prepareEdit(): { version: number; edits: TextEdit[] } | "busy" | undefined {
    if (this.inFlight || this.following) return "busy";
    const update = Y.encodeStateAsUpdate(this.hub, Y.encodeStateVector(this.doc));
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.doc));
    const scratchText = scratch.getText("t");
    let delta: { insert?: string; delete?: number; retain?: number }[] = [];
    scratchText.observe((event) => {
      delta = event.delta as typeof delta;
    });
    Y.applyUpdate(scratch, update);
    const current = this.text.toString();
    const changed = scratchText.toString() !== current;
    scratch.destroy();
    if (!changed) {
      // Nothing visible changed (e.g. an insert and its deletion): take the update silently.
      Y.applyUpdate(this.doc, update, HUB_ORIGIN);
      return undefined;
    }
    this.inFlight = { update, held: [] };
    this.buffer = current;
    return { version: this.version, edits: this.toEdits(delta) };
  }

  /**
   * The editor answered our workspace/applyEdit. Returns whether the editor's changes of the
   * meantime are in (they arrived while the edit was out): a refused edit can then be resent at
   * once instead of after the next didChange.
   */
  editResult(applied: boolean): boolean {
    const flight = this.inFlight;
    if (!flight) return false;
    this.inFlight = undefined;
    if (applied) {
      Y.applyUpdate(this.doc, flight.update, HUB_ORIGIN);
      this.following = true;
      if (flight.held.length === 0) return false; // the echo is still to come
      for (const { changes, version } of flight.held) {
        this.buffer = applyToText(this.languageId, this.buffer ?? "", changes, version);
        this.version = version;
      }
      this.followBuffer();
    } else {
      // The editor was ahead: what it sent meanwhile is the user's typing.
      this.buffer = null;
      for (const { changes, version } of flight.held) this.applyEditorChanges(changes, version);
    }
    return flight.held.length > 0;
  }

  private toEdits(delta: { insert?: string; delete?: number; retain?: number }[]): TextEdit[] {
    const edits: TextEdit[] = [];
    let at = 0;
    for (const op of delta) {
      if (op.retain !== undefined) {
        at += op.retain;
      } else if (op.delete !== undefined) {
        const last = edits.at(-1);
        const start = this.index.positionAt(at);
        const end = this.index.positionAt(at + op.delete);
        if (last && samePosition(last.range.end, start) && samePosition(last.range.start, last.range.end)) last.range.end = end;
        else edits.push({ range: { start, end }, newText: "" });
        at += op.delete;
      } else if (typeof op.insert === "string") {
        const position = this.index.positionAt(at);
        const last = edits.at(-1);
        if (last && samePosition(last.range.end, position)) last.newText += op.insert;
        else edits.push({ range: { start: position, end: position }, newText: op.insert });
      }
    }
    return edits;
  }
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

/** The editor's text after `changes` (the rare path: an edit of ours in flight or being followed). */
function applyToText(languageId: string, text: string, changes: ContentChange[], version: number): string {
  return TextDocument.update(TextDocument.create("file:///buffer", languageId, version - 1, text), changes, version).getText();
}

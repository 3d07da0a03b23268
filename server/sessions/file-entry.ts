// One file of interest in the workspace doc: its Yjs document, the parties that edit it, and the
// state of bringing its merged text to where it shows (publisher.ts).
import * as Y from "yjs";
import { Deliveries } from "./delivery.ts";
import type { EditorReplica } from "./editor-replica.ts";

export interface FileEntry {
  abs: string;
  uri: string;
  doc: Y.Doc;
  text: Y.Text;
  editor?: EditorReplica;
  /** What we last read from or wrote to disk, and its mtime: to tell others' changes from ours. */
  disk?: { text: string; mtimeMs: number };
  /** The text a disk write of ours is putting there (a read meanwhile may see it: it is ours too). */
  writing?: string;
  /** Per session: its UndoManager on this file. */
  undo: Map<string, Y.UndoManager>;
  /** Per session: its replica of the file, as of its last read: the base of its next write. */
  forks: Map<string, Y.Doc>;
  /** Changes not yet where the file shows. */
  dirty: boolean;
  flushing?: Promise<void>;
  /** Sessions' writes waiting for their change to get there. */
  deliveries: Deliveries;
  /** Waiting (up to edits.echoTimeoutMs) for the editor's next didChange: after an applied edit (its echo) or a refusal. */
  wait?: NodeJS.Timeout;
  /** The editor's reason for refusing our last edit, until it reports a change. */
  refusal?: string;
}

export function createEntry(abs: string, uri: string): FileEntry {
  const doc = new Y.Doc();
  return { abs, uri, doc, text: doc.getText("t"), undo: new Map(), forks: new Map(), dirty: false, deliveries: new Deliveries() };
}

// A minimal editor for workspace tests: a buffer with a version, that applies workspace/applyEdit
// (refusing stale versions, as editors do) and reports its own changes as incremental didChange,
// optionally holding them back to batch them like Neovim's debounce does. It can misbehave the
// ways real editors do: report an applied edit late (eglot's idle timer) or never, answer late,
// refuse with a reason, answer with an error (eglot's way to refuse a stale version), or answer
// `applied: true` to an edit for an older version without applying it (Neovim).
import { renameSync, writeFileSync } from "node:fs";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { ContentChange, EditAnswer, TextEdit } from "../../../server/sessions/editor-replica.ts";
import type { Workspace } from "../../../server/sessions/workspace.ts";

export interface Misbehaviour {
  /** How an applied edit is reported: at once (default), after this many ms, or never. */
  echo?: "now" | "never" | number;
  /** Answers workspace/applyEdit after this many ms (the edit applies when it answers). */
  answerDelayMs?: number;
  /** Refuses every edit with this failureReason. */
  refuse?: string;
  /** Answers every edit with this error. */
  error?: string;
  /** A stale version is refused with an error (eglot) instead of `applied: false`. */
  staleAsError?: boolean;
  /** A stale version gets `applied: true` and is not applied (Neovim's "buffer newer than edits"). */
  dropStale?: boolean;
}

export class FakeEditor {
  doc: TextDocument;
  private held: ContentChange[] = [];
  /** Hold didChange notifications until flush() (batching). */
  batching = false;
  readonly applied: TextEdit[][] = [];
  refused = 0;
  closed = false;
  misbehave: Misbehaviour;
  private echoTimer: NodeJS.Timeout | undefined;
  private readonly workspace: Workspace;
  private askedWaiters: (() => void)[] = [];

  constructor(workspace: Workspace, uri: string, text: string, misbehave: Misbehaviour = {}) {
    this.workspace = workspace;
    this.misbehave = misbehave;
    this.doc = TextDocument.create(uri, "plaintext", 1, text);
    workspace.openInEditor(uri, "plaintext", 1, text);
  }

  get text(): string {
    return this.doc.getText();
  }

  /** Resolves when the next workspace/applyEdit arrives, before the editor looks at it (so a test acts while the answer is on its way, however loaded the machine). */
  asked(): Promise<void> {
    return new Promise((resolve) => this.askedWaiters.push(resolve));
  }

  /** The LSP side: workspace/applyEdit. */
  applyEdit = async (uri: string, version: number, edits: TextEdit[]): Promise<EditAnswer> => {
    if (uri !== this.doc.uri) throw new Error(`edit for ${uri}`);
    for (const resolve of this.askedWaiters.splice(0)) resolve();
    const m = this.misbehave;
    if (m.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, m.answerDelayMs));
    if (this.closed) return { applied: false, failureReason: `${uri} is not open` };
    if (m.error) throw new Error(m.error);
    if (m.refuse) return { applied: false, failureReason: m.refuse };
    if (version !== this.doc.version || this.held.length > 0) {
      if (m.dropStale) return { applied: true };
      this.refused++;
      if (m.staleAsError) throw new Error(`Edits on ${uri} require version ${version}, you have ${this.doc.version}`);
      return { applied: false, failureReason: "version mismatch" };
    }
    this.applied.push(edits);
    // TextEdits are relative to the original text: apply from the end so offsets stay valid.
    const ordered = [...edits].sort((a, b) => this.doc.offsetAt(b.range.start) - this.doc.offsetAt(a.range.start));
    const echo = m.echo ?? "now";
    for (const edit of ordered) {
      const change = { range: edit.range, text: edit.newText };
      if (echo === "never") this.doc = TextDocument.update(this.doc, [change], this.doc.version + 1);
      else this.change(change, echo !== "now");
    }
    if (typeof echo === "number" && !this.echoTimer) this.echoTimer = setTimeout(() => this.flush(), echo);
    return { applied: true };
  };

  /** The user types `text` at `offset`. */
  type(offset: number, text: string): void {
    const position = this.doc.positionAt(offset);
    this.change({ range: { start: position, end: position }, text });
  }

  /** The user deletes `length` characters at `offset`. */
  erase(offset: number, length: number): void {
    this.change({ range: { start: this.doc.positionAt(offset), end: this.doc.positionAt(offset + length) }, text: "" });
  }

  private change(change: ContentChange, hold = false): void {
    this.doc = TextDocument.update(this.doc, [change], this.doc.version + 1);
    this.held.push(change);
    if (!this.batching && !hold && !this.echoTimer) this.flush();
  }

  /** Sends the held changes as one didChange. */
  flush(): void {
    clearTimeout(this.echoTimer);
    this.echoTimer = undefined;
    if (this.held.length === 0 || this.closed) return;
    const changes = this.held;
    this.held = [];
    this.workspace.changeInEditor(this.doc.uri, changes, this.doc.version);
  }

  /** Saves the buffer to `abs` (after reporting what it holds, as editors do) and closes it. */
  saveAndClose(abs: string): Promise<void> {
    this.flush();
    writeFileSync(abs, this.text);
    this.workspace.savedInEditor(this.doc.uri);
    return this.close();
  }

  /** didClose (unsaved changes go with the buffer). */
  close(): Promise<void> {
    clearTimeout(this.echoTimer);
    this.closed = true;
    return this.workspace.closeInEditor(this.doc.uri);
  }
}

/** Writes a file as the server does (a temporary file renamed over it): a reader sees the old text or the new, never half. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A minimal editor for workspace tests: a buffer with a version, that applies workspace/applyEdit
// (refusing stale versions, as editors do) and reports its own changes as incremental didChange,
// optionally holding them back to batch them like Neovim's debounce does.
import { TextDocument } from "vscode-languageserver-textdocument";
import type { ContentChange, TextEdit } from "../../../server/sessions/editor-replica.ts";
import type { Workspace } from "../../../server/sessions/workspace.ts";

export class FakeEditor {
  doc: TextDocument;
  private held: ContentChange[] = [];
  /** Hold didChange notifications until flush() (batching). */
  batching = false;
  readonly applied: TextEdit[][] = [];
  refused = 0;
  private readonly workspace: Workspace;

  constructor(workspace: Workspace, uri: string, text: string) {
    this.workspace = workspace;
    this.doc = TextDocument.create(uri, "plaintext", 1, text);
    workspace.openInEditor(uri, "plaintext", 1, text);
  }

  get text(): string {
    return this.doc.getText();
  }

  /** The LSP side: workspace/applyEdit. */
  applyEdit = async (uri: string, version: number, edits: TextEdit[]): Promise<boolean> => {
    if (uri !== this.doc.uri) throw new Error(`edit for ${uri}`);
    if (version !== this.doc.version || this.held.length > 0) {
      this.refused++;
      return false;
    }
    this.applied.push(edits);
    // TextEdits are relative to the original text: apply from the end so offsets stay valid.
    const ordered = [...edits].sort((a, b) => this.doc.offsetAt(b.range.start) - this.doc.offsetAt(a.range.start));
    for (const edit of ordered) this.change({ range: edit.range, text: edit.newText });
    return true;
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

  private change(change: ContentChange): void {
    this.doc = TextDocument.update(this.doc, [change], this.doc.version + 1);
    this.held.push(change);
    if (!this.batching) this.flush();
  }

  /** Sends the held changes as one didChange. */
  flush(): void {
    if (this.held.length === 0) return;
    const changes = this.held;
    this.held = [];
    this.workspace.changeInEditor(this.doc.uri, changes, this.doc.version);
  }
}

export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

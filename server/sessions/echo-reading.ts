// Which text an editor's didChange applies to, once the editor has said it applied our edit.
//
// An editor that reports every change (the LSP rule) sends the edit back as a didChange relative
// to the buffer as it was: the echo, alone or with the user's typing. Two kinds of editor do not:
// one drops an edit for an older version yet answers `applied: true` (Neovim skips "buffer newer
// than edits" silently), and its next didChange is the user's typing against the buffer without
// our edit; another applies the edit without reporting it, and its next didChange is relative to
// the buffer with our edit. Each reading gives a text; the one closest to what that reading
// expects wins. A tie between the last two is settled by the version: an editor that counted our
// edit is more versions ahead than the changes it reports (one version per change or more).
import { TextDocument } from "vscode-languageserver-textdocument";
import type { ContentChange } from "./editor-replica.ts";
import { LineIndex } from "./line-index.ts";
import { textSplices } from "./text-diff.ts";

export type EchoKind = "echo" | "dropped" | "silent";

export interface EchoReading {
  kind: EchoKind;
  /** The buffer's text after these changes, in this reading. */
  text: string;
  /** Another reading fit as well: what the buffer holds is a best guess. */
  guess: boolean;
}

export interface EchoInput {
  /** The buffer as our edit was computed against it, and with our edit. */
  before: string;
  after: string;
  /** The didChange notifications since the answer, in order, and the last one's version. */
  changes: ContentChange[];
  version: number;
  /** The version our edit was sent against. */
  sentVersion: number;
}

type Reading = { kind: EchoKind; text: string; score: number; rank: number };

/** `beforeIndex`: the line index of `before` (left as it is), to apply the changes without rescanning the text. */
export function readEcho(input: EchoInput, beforeIndex?: LineIndex): EchoReading {
  const onBefore = applyChanges(input.before, input.changes, beforeIndex);
  if (onBefore === input.after) return { kind: "echo", text: onBefore, guess: false }; // the usual case
  const onAfter = applyChanges(input.after, input.changes);
  const counted = input.version - input.sentVersion > input.changes.length;
  const [best, next] = [
    { kind: "echo" as const, text: onBefore, score: distance(onBefore, input.after), rank: 0 },
    { kind: "silent" as const, text: onAfter, score: distance(onAfter, input.after), rank: counted ? 1 : 2 },
    { kind: "dropped" as const, text: onBefore, score: distance(onBefore, input.before), rank: counted ? 2 : 1 },
  ].sort((a, b) => a.score - b.score || a.rank - b.rank) as [Reading, Reading, Reading];
  return { kind: best.kind, text: best.text, guess: next.score === best.score && next.text !== best.text };
}

/** How many UTF-16 units one text must change to become the other (after trimming what they share). */
export function distance(a: string, b: string): number {
  let total = 0;
  for (const s of textSplices(a, b)) total += s.deleteCount + s.insert.length;
  return total;
}

/**
 * The text after `changes` (incremental ones relative to the text before them, in order). With the
 * text's line index, positions convert through a copy of it (a CR anywhere takes the slow path: the
 * index does not follow a CR and an LF joining into one line break).
 */
export function applyChanges(text: string, changes: ContentChange[], index?: LineIndex): string {
  if (!index || text.includes("\r") || changes.some((c) => c.text.includes("\r"))) {
    return TextDocument.update(TextDocument.create("file:///buffer", "plaintext", 0, text), changes, 1).getText();
  }
  let lines = index.clone();
  let out = text;
  for (const change of changes) {
    if (!("range" in change)) {
      out = change.text;
      lines = new LineIndex(out);
      continue;
    }
    const start = lines.offsetAt(change.range.start);
    const end = Math.max(start, lines.offsetAt(change.range.end));
    out = out.slice(0, start) + change.text + out.slice(end);
    lines.replace(start, end, change.text);
  }
  return out;
}

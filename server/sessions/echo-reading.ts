// Which text an editor's didChange applies to, once the editor has said it applied our edit.
//
// An editor that reports every change (the LSP rule) sends the edit back as a didChange relative
// to the buffer as it was: the echo, alone or with the user's typing. Two kinds of editor do not:
// one drops an edit for an older version yet answers `applied: true` (Neovim skips "buffer newer
// than edits" silently), and its next didChange is the user's typing against the buffer without
// our edit; another applies the edit without reporting it, and its next didChange is relative to
// the buffer with our edit. Which text the changes were made against shows where their positions
// exist (an editor never sends a position past a line's end or inside a surrogate pair); when they
// fit both, the version tells: an editor that counted our edit is more versions ahead than the
// changes it reports (one version per change or more). Against the text as it was, the buffer then
// has our edit (echoed) when it is nearer to the text with it than to the text without it.
import type { ContentChange } from "./editor-replica.ts";
import { LineIndex, type Position } from "./line-index.ts";
import { differingSpan } from "./text-diff.ts";

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

/** `beforeIndex`: the line index of `before` (left as it is), to apply the changes without rescanning the text. */
export function readEcho(input: EchoInput, beforeIndex?: LineIndex): EchoReading {
  const onBefore = applyChanges(input.before, input.changes, beforeIndex);
  if (onBefore.text === input.after) return { kind: "echo", text: onBefore.text, guess: false }; // the usual case
  const onAfter = applyChanges(input.after, input.changes);
  const counted = input.version - input.sentVersion > input.changes.length;
  const both = onBefore.fits && onAfter.fits;
  if (onAfter.fits && (!onBefore.fits || counted)) return { kind: "silent", text: onAfter.text, guess: both };
  const echoed = differingSpan(onBefore.text, input.after) <= differingSpan(onBefore.text, input.before);
  return { kind: echoed ? "echo" : "dropped", text: onBefore.text, guess: both };
}

/**
 * The text after `changes` (incremental ones relative to the text before them, in order), and
 * whether every position was in it. With the text's line index, positions convert through a copy
 * of it instead of a scan of the text.
 */
export function applyChanges(text: string, changes: ContentChange[], index?: LineIndex): { text: string; fits: boolean } {
  let lines = index ? index.clone() : new LineIndex(text);
  let out = text;
  let fits = true;
  for (const change of changes) {
    if (!("range" in change)) {
      out = change.text;
      lines = new LineIndex(out);
      continue;
    }
    fits &&= exists(lines, out, change.range.start) && exists(lines, out, change.range.end);
    const start = lines.offsetAt(change.range.start);
    const end = Math.max(start, lines.offsetAt(change.range.end));
    const before = out;
    out = out.slice(0, start) + change.text + out.slice(end);
    // The index does not follow a CR and an LF joining into one line break (or parting): rebuilt then.
    if (change.text.includes("\r") || before[start - 1] === "\r" || before[end] === "\n" || before.slice(start, end).includes("\r")) lines = new LineIndex(out);
    else lines.replace(start, end, change.text);
  }
  return { text: out, fits };
}

/** A position in the text: within a line (not past its end) and not inside a surrogate pair. */
function exists(lines: LineIndex, text: string, position: Position): boolean {
  if (position.line < 0 || position.character < 0 || position.line >= lines.lineCount) return false;
  const offset = lines.offsetAt(position);
  if (lines.offsetAt({ line: position.line, character: 0 }) + position.character !== offset) return false; // clamped
  const low = text.charCodeAt(offset);
  const high = text.charCodeAt(offset - 1);
  return !(low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff);
}

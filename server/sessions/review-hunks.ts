// Pending changes as line hunks: what a session's view of a file (its replica, with its changes
// not yet accepted) has that the file does not, cut into runs of changed lines. Pure text logic;
// the positions are the file's current lines, so they follow whatever others typed meanwhile.
import { createHash } from "node:crypto";
import { diffLines } from "diff";

import type { ReviewHunk as Hunk } from "../bus/events.ts";

export type { Hunk };

/** A hunk as the text it replaces: `removed` lines from line `start`. */
interface LineChange {
  start: number;
  removed: number;
  oldText: string;
  newText: string;
  added: number;
}

/** The line hunks turning `current` into `proposed`, in file order. */
export function hunksBetween(current: string, proposed: string, sessionId: string, uri: string): Hunk[] {
  const changes: LineChange[] = [];
  let line = 0;
  let open: LineChange | undefined;
  for (const part of diffLines(current, proposed)) {
    const count = part.count ?? lineCount(part.value);
    if (!part.added && !part.removed) {
      open = undefined;
      line += count;
      continue;
    }
    if (!open) changes.push((open = { start: line, removed: 0, oldText: "", newText: "", added: 0 }));
    if (part.removed) {
      open.removed += count;
      open.oldText += part.value;
      line += count;
    } else {
      open.added += count;
      open.newText += part.value;
    }
  }
  const seen = new Map<string, number>();
  return changes.map((c) => {
    const key = `${uri}\0${c.oldText}\0${c.newText}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    return {
      id: createHash("sha256").update(`${sessionId}\0${key}\0${nth}`).digest("hex").slice(0, 12),
      sessionId,
      uri,
      range: { start: { line: c.start, character: 0 }, end: { line: c.start + c.removed, character: 0 } },
      oldText: c.oldText,
      newText: c.newText,
      added: c.added,
      removed: c.removed,
    };
  });
}

/** `text` with `hunks` (computed against it) applied. */
export function applyHunks(text: string, hunks: Hunk[]): string {
  const lines = splitLines(text);
  for (const hunk of [...hunks].sort((a, b) => b.range.start.line - a.range.start.line)) {
    lines.splice(hunk.range.start.line, hunk.removed, hunk.newText);
  }
  return lines.join("");
}

/** Lines with their endings kept, so joining gives the text back. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function lineCount(value: string): number {
  return splitLines(value).length;
}

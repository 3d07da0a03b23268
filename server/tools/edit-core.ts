// The string-replacement core of edit and multiedit: exact matching (once, or all with replaceAll),
// CRLF-tolerant, and when nothing matches, the nearest region of the file to show the model.
import { createTwoFilesPatch } from "diff";

export interface EditSpec {
  oldString: string;
  newString: string;
  replaceAll?: boolean;
}

export type EditOutcome = { ok: true; text: string; replacements: number } | { ok: false; error: string };

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) count++;
  return count;
}

/** Applies one edit to `text`. */
export function applyEdit(text: string, edit: EditSpec): EditOutcome {
  if (edit.oldString === edit.newString) return { ok: false, error: "oldString and newString are identical; nothing to change." };
  if (edit.oldString === "") return { ok: false, error: "oldString is empty; to create or overwrite a whole file use the write tool." };
  let oldString = edit.oldString;
  let newString = edit.newString;
  let count = countOccurrences(text, oldString);
  if (count === 0 && text.includes("\r\n") && !oldString.includes("\r\n") && oldString.includes("\n")) {
    // The file has CRLF line endings and the model wrote LF.
    const crlfOld = oldString.replace(/\n/g, "\r\n");
    const crlfCount = countOccurrences(text, crlfOld);
    if (crlfCount > 0) {
      oldString = crlfOld;
      newString = newString.replace(/\r?\n/g, "\r\n");
      count = crlfCount;
    }
  }
  if (count === 0) return { ok: false, error: noMatchMessage(text, edit.oldString) };
  if (count > 1 && !edit.replaceAll) {
    return {
      ok: false,
      error: `oldString was found ${count} times; it must match exactly once. Include more surrounding lines to make it unique, or set replaceAll to true to change every occurrence.`,
    };
  }
  if (edit.replaceAll) return { ok: true, text: text.split(oldString).join(newString), replacements: count };
  const at = text.indexOf(oldString);
  return { ok: true, text: text.slice(0, at) + newString + text.slice(at + oldString.length), replacements: 1 };
}

/** Bigram similarity in [0, 1]. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return a.trim() === b.trim() ? 0.9 : 0;
  if (a.trim() === b.trim()) return 0.9;
  const grams = new Map<string, number>();
  for (let i = 0; i < a.length - 1; i++) {
    const g = a.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const g = b.slice(i, i + 2);
    const n = grams.get(g);
    if (n) {
      shared++;
      grams.set(g, n - 1);
    }
  }
  return (2 * shared) / (a.length + b.length - 2);
}

/** The window of file lines most like `needle`'s lines: its 0-based start and score. */
export function nearestRegion(text: string, needle: string): { start: number; length: number; score: number } | null {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const want = needle.split("\n").map((l) => l.replace(/\r$/, ""));
  while (want.length > 1 && want[want.length - 1]!.trim() === "") want.pop();
  if (lines.length === 0 || want.length === 0) return null;
  const length = Math.min(want.length, lines.length);
  // Bound the work on big files: compare only the first lines of the needle.
  const compared = Math.max(1, Math.min(length, Math.floor(2_000_000 / Math.max(1, lines.length))));
  let best = { start: 0, length, score: -1 };
  for (let start = 0; start + length <= lines.length; start++) {
    let score = 0;
    for (let j = 0; j < compared; j++) score += similarity(lines[start + j]!, want[j]!);
    if (score > best.score) best = { start, length, score };
  }
  best.score /= compared;
  return best;
}

function noMatchMessage(text: string, needle: string): string {
  const region = nearestRegion(text, needle);
  let message = "oldString was not found in the file (it must match exactly, including whitespace and indentation).";
  if (region && region.score >= 0.4) {
    const lines = text.split("\n");
    const from = Math.max(0, region.start - 1);
    const to = Math.min(lines.length, region.start + region.length + 1);
    const width = String(to).length;
    const shown = lines
      .slice(from, to)
      .map((line, i) => `${String(from + i + 1).padStart(width)}\t${line.replace(/\r$/, "")}`)
      .join("\n");
    const squash = (t: string) => t.replace(/\s+/g, "");
    const wsOnly = squash(lines.slice(region.start, region.start + region.length).join("\n")) === squash(needle);
    message += `\nThe most similar region (lines ${region.start + 1}-${region.start + region.length}) is:\n${shown}`;
    if (wsOnly) message += "\nIt differs only in whitespace or indentation.";
    message += "\nCopy the exact text from the file (read it again if needed) and retry.";
  } else {
    message += " Nothing similar was found; read the file again to see its current content.";
  }
  return message;
}

export function unifiedDiff(path: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context: 3 });
}

// The edits that turn one text into another, as few and as small as practical: common prefix and
// suffix trimmed, then a character diff of the middle (jsdiff). Offsets are UTF-16 code units, as
// Yjs and JavaScript strings count them.
import { diffChars } from "diff";
import type * as Y from "yjs";

export interface Splice {
  /** Offset in the text as it is when this splice applies (splices apply in order). */
  index: number;
  deleteCount: number;
  insert: string;
}

/** Middles longer than this are replaced whole: a character diff would cost more than it saves. */
const MAX_DIFF_MIDDLE = 200_000;

export function textSplices(from: string, to: string): Splice[] {
  if (from === to) return [];
  let start = commonPrefix(from, to);
  const suffix = commonSuffix(from, to, start);
  let endFrom = from.length - suffix;
  let endTo = to.length - suffix;
  // Never split a surrogate pair at the edges.
  if (start > 0 && isHighSurrogate(from.charCodeAt(start - 1))) start--;
  if (endFrom < from.length && isLowSurrogate(from.charCodeAt(endFrom))) {
    endFrom++;
    endTo++;
  }
  const a = from.slice(start, endFrom);
  const b = to.slice(start, endTo);
  if (a.length === 0 || b.length === 0 || a.length + b.length > MAX_DIFF_MIDDLE) {
    return [{ index: start, deleteCount: a.length, insert: b }];
  }
  const splices: Splice[] = [];
  let at = start;
  for (const part of diffChars(a, b)) {
    if (part.added) {
      const last = splices.at(-1);
      // A removal right before at the same place: one replacement.
      if (last && last.index === at && last.insert === "" && last.deleteCount > 0) last.insert = part.value;
      else splices.push({ index: at, deleteCount: 0, insert: part.value });
      at += part.value.length;
    } else if (part.removed) {
      splices.push({ index: at, deleteCount: part.value.length, insert: "" });
    } else {
      at += part.value.length;
    }
  }
  return splices;
}

/**
 * How far apart two texts are: the lengths of what lies between their common prefix and suffix, in
 * each. Coarser than a diff, and never fooled by characters two unrelated middles happen to share.
 */
export function differingSpan(a: string, b: string): number {
  if (a === b) return 0;
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a, b, prefix);
  return a.length + b.length - 2 * (prefix + suffix);
}

/** Whole blocks are compared as strings (a memory compare), the block that differs char by char. */
const BLOCK = 4096;

function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let at = 0;
  while (at + BLOCK <= max && a.slice(at, at + BLOCK) === b.slice(at, at + BLOCK)) at += BLOCK;
  while (at < max && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  return at;
}

/** The length of the common suffix that does not reach into the first `prefix` chars of either. */
function commonSuffix(a: string, b: string, prefix: number): number {
  const max = Math.min(a.length, b.length) - prefix;
  let n = 0;
  while (n + BLOCK <= max && a.slice(a.length - n - BLOCK, a.length - n) === b.slice(b.length - n - BLOCK, b.length - n)) n += BLOCK;
  while (n < max && a.charCodeAt(a.length - n - 1) === b.charCodeAt(b.length - n - 1)) n++;
  return n;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Splices as LSP TextEdits, which all refer to the text before the first splice: offsets are
 * shifted back by what the earlier splices inserted and removed.
 */
export function splicesToEdits<P>(splices: Splice[], positionAt: (offset: number) => P): { range: { start: P; end: P }; newText: string }[] {
  let shift = 0;
  return splices.map((s) => {
    const start = s.index - shift;
    shift += s.insert.length - s.deleteCount;
    return { range: { start: positionAt(start), end: positionAt(start + s.deleteCount) }, newText: s.insert };
  });
}

/** Applies splices to a string (for tests and for predicting text). */
export function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of splices) out = out.slice(0, s.index) + s.insert + out.slice(s.index + s.deleteCount);
  return out;
}

/** Applies splices to a Y.Text in one transaction with `origin` (nothing when there are none). */
export function spliceYText(doc: Y.Doc, text: Y.Text, splices: Splice[], origin: unknown): void {
  if (splices.length === 0) return;
  doc.transact(() => {
    for (const s of splices) {
      if (s.deleteCount) text.delete(s.index, s.deleteCount);
      if (s.insert) text.insert(s.index, s.insert);
    }
  }, origin);
}

// Code as the metrics see it: comments removed (string literals kept intact, so a "#" or "//" inside
// a string is not a comment), lexemes (identifiers, numbers, whole string literals, one punctuation
// character each — so whitespace never changes them) and identifiers (lexemes that are names, not
// keywords, outside string literals).
import type { Language } from "./languages.ts";

type Kind = "code" | "comment" | "string";

interface Segment {
  kind: Kind;
  start: number;
  end: number;
}

function endOfString(text: string, from: number, delimiter: string, multiline: boolean): number {
  let j = from;
  while (j < text.length) {
    const c = text[j];
    if (c === "\\") j += 2;
    else if (text.startsWith(delimiter, j)) return j + delimiter.length;
    else if (c === "\n" && !multiline) return j; // unterminated on its line: the string ends there
    else j++;
  }
  return text.length;
}

/** Splits text into code, comment and string segments, in order. */
export function segments(text: string, language: Language): Segment[] {
  const out: Segment[] = [];
  let codeStart = 0;
  const push = (kind: Kind, start: number, end: number) => {
    if (codeStart < start) out.push({ kind: "code", start: codeStart, end: start });
    out.push({ kind, start, end });
    codeStart = end;
  };
  let i = 0;
  scan: while (i < text.length) {
    for (const [open, close] of language.blockComments) {
      if (text.startsWith(open, i)) {
        const at = text.indexOf(close, i + open.length);
        const end = at < 0 ? text.length : at + close.length;
        push("comment", i, end);
        i = end;
        continue scan;
      }
    }
    for (const opener of language.lineComments) {
      if (text.startsWith(opener, i)) {
        const at = text.indexOf("\n", i);
        const end = at < 0 ? text.length : at;
        push("comment", i, end);
        i = end;
        continue scan;
      }
    }
    for (const delimiter of language.strings) {
      if (text.startsWith(delimiter, i)) {
        const end = endOfString(text, i + delimiter.length, delimiter, language.multiline.includes(delimiter));
        push("string", i, end);
        i = end;
        continue scan;
      }
    }
    i++;
  }
  if (codeStart < text.length) out.push({ kind: "code", start: codeStart, end: text.length });
  return out;
}

/** The text without its comments (a line comment's newline stays). */
export function removeComments(text: string, language: Language): string {
  let out = "";
  for (const s of segments(text, language)) if (s.kind !== "comment") out += text.slice(s.start, s.end);
  return out;
}

const LEXEME = /[\p{L}_$][\p{L}\p{N}_$]*|\p{N}[\p{L}\p{N}_.]*|\S/gu;
const NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

/** Lexemes of comment-free code: names, numbers, whole string literals, single punctuation characters. */
export function lexemes(text: string, language: Language): string[] {
  const out: string[] = [];
  for (const s of segments(text, language)) {
    if (s.kind === "comment") continue;
    const piece = text.slice(s.start, s.end);
    if (s.kind === "string") out.push(piece);
    else for (const m of piece.matchAll(LEXEME)) out.push(m[0]);
  }
  return out;
}

/** The identifiers of a piece of code: names outside comments and strings that are not keywords. */
export function identifiers(text: string, language: Language): string[] {
  const out: string[] = [];
  for (const s of segments(text, language)) {
    if (s.kind !== "code") continue;
    for (const m of text.slice(s.start, s.end).matchAll(LEXEME)) {
      const word = m[0];
      if (NAME.test(word) && !language.keywords.has(word)) out.push(word);
    }
  }
  return out;
}

// Between the model's coordinates and the language servers': 1-based line and column counted in
// characters (as the read tool's numbered lines show them) ↔ LSP's 0-based line and UTF-16 offset;
// and the servers' answers (locations, hovers, symbols, diagnostics) as plain text lines.
import { isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic, DocumentSymbol, Hover, Location, LocationLink, Position, SymbolInformation, WorkspaceSymbol } from "vscode-languageserver-protocol";
import type { ToolContext } from "./types.ts";

const LINE_BREAK = /\r\n|\r|\n/;

export function linesOf(text: string): string[] {
  return text.split(LINE_BREAK);
}

/**
 * The LSP position of a 1-based line and column (characters, astral ones counting one), or an
 * error message. `symbol`, when given, finds the column on that line (the occurrence nearest to
 * `column` when both are given).
 */
export function toLspPosition(text: string, line: number, column: number | undefined, symbol: string | undefined): Position | string {
  const lines = linesOf(text);
  if (line < 1 || line > lines.length) return `line ${line} is outside the file (it has ${lines.length} line${lines.length === 1 ? "" : "s"})`;
  const lineText = lines[line - 1]!;
  if (symbol !== undefined && symbol !== "") {
    const starts: number[] = [];
    for (let i = lineText.indexOf(symbol); i >= 0; i = lineText.indexOf(symbol, i + 1)) starts.push(i);
    if (starts.length === 0) return `"${symbol}" does not occur on line ${line}, which reads: ${lineText.trim()}`;
    const want = column === undefined ? 0 : utf16Offset(lineText, column);
    const best = starts.reduce((a, b) => (Math.abs(b - want) < Math.abs(a - want) ? b : a));
    return { line: line - 1, character: best };
  }
  if (column === undefined) return "give the column (1-based) or the symbol on that line";
  const chars = Array.from(lineText).length;
  if (column > chars + 1) return `column ${column} is past the end of line ${line} (${chars} characters): ${lineText.trim()}`;
  return { line: line - 1, character: utf16Offset(lineText, column) };
}

/** UTF-16 offset of a 1-based character column. */
function utf16Offset(lineText: string, column: number): number {
  return Array.from(lineText).slice(0, Math.max(0, column - 1)).join("").length;
}

/** 1-based character column of a UTF-16 offset on a line. */
export function columnOf(lineText: string | undefined, character: number): number {
  if (lineText === undefined) return character + 1;
  return Array.from(lineText.slice(0, character)).length + 1;
}

/** A file URI as the model should see it: workspace-relative when inside the workspace. */
export function displayPath(ctx: ToolContext, uri: string): string {
  let abs: string;
  try {
    abs = uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
  const rel = relative(ctx.root, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return abs;
  return rel.split(sep).join("/");
}

/** Reads the lines of files the answers point into (inside the workspace only), cached per call. */
export class LineReader {
  private readonly cache = new Map<string, Promise<string[] | undefined>>();
  private readonly ctx: ToolContext;

  constructor(ctx: ToolContext, known?: { path: string; text: string }) {
    this.ctx = ctx;
    if (known) this.cache.set(known.path, Promise.resolve(linesOf(known.text)));
  }

  lines(path: string): Promise<string[] | undefined> {
    let lines = this.cache.get(path);
    if (!lines) {
      lines = isAbsolute(path) ? Promise.resolve(undefined) : this.ctx.files.readText(path).then(linesOf, () => undefined);
      this.cache.set(path, lines);
    }
    return lines;
  }

  /** `path:line:col` of an LSP position, with the line's text when it is readable. */
  async at(uri: string, position: Position, withText = true): Promise<string> {
    const path = displayPath(this.ctx, uri);
    const lines = await this.lines(path);
    const lineText = lines?.[position.line];
    const where = `${path}:${position.line + 1}:${columnOf(lineText, position.character)}`;
    return withText && lineText !== undefined ? `${where}  ${lineText.trim().slice(0, 200)}` : where;
  }
}

/** Locations of a definition-like answer, whatever shape the server chose. */
export function locationsOf(answer: unknown): { uri: string; position: Position }[] {
  if (!answer) return [];
  const list = (Array.isArray(answer) ? answer : [answer]) as (Location | LocationLink)[];
  return list.flatMap((l) => {
    if ("targetUri" in l) return [{ uri: l.targetUri, position: (l.targetSelectionRange ?? l.targetRange).start }];
    if ("uri" in l && l.range) return [{ uri: l.uri, position: l.range.start }];
    return [];
  });
}

/** A hover's contents as text (markdown kept as it is). */
export function hoverText(hover: Hover | null | undefined): string {
  if (!hover) return "";
  const part = (c: unknown): string => {
    if (typeof c === "string") return c;
    if (!c || typeof c !== "object") return "";
    const marked = c as { language?: string; value?: string };
    if (marked.language !== undefined) return "```" + marked.language + "\n" + (marked.value ?? "") + "\n```";
    return marked.value ?? "";
    return "";
  };
  const contents = hover.contents as unknown;
  return (Array.isArray(contents) ? contents.map(part) : [part(contents)]).filter(Boolean).join("\n\n").trim();
}

const SYMBOL_KINDS = [
  "",
  "file",
  "module",
  "namespace",
  "package",
  "class",
  "method",
  "property",
  "field",
  "constructor",
  "enum",
  "interface",
  "function",
  "variable",
  "constant",
  "string",
  "number",
  "boolean",
  "array",
  "object",
  "key",
  "null",
  "enum member",
  "struct",
  "event",
  "operator",
  "type parameter",
];

export const symbolKind = (kind: number) => SYMBOL_KINDS[kind] ?? `kind ${kind}`;

/** A document's symbols as an indented outline: `kind name (lines a–b)`. */
export function documentSymbolLines(answer: unknown, lines: string[]): string[] {
  if (!Array.isArray(answer) || answer.length === 0) return [];
  const out: string[] = [];
  if ("location" in answer[0]) {
    for (const s of answer as SymbolInformation[]) {
      const start = s.location.range.start;
      const container = s.containerName ? ` (in ${s.containerName})` : "";
      out.push(`${symbolKind(s.kind)} ${s.name}${container} — line ${start.line + 1}:${columnOf(lines[start.line], start.character)}`);
    }
    return out;
  }
  const walk = (symbols: DocumentSymbol[], depth: number) => {
    for (const s of symbols) {
      const { start, end } = s.range;
      const sel = s.selectionRange.start;
      const span = start.line === end.line ? `line ${start.line + 1}` : `lines ${start.line + 1}–${end.line + 1}`;
      const detail = s.detail ? ` ${s.detail}`.slice(0, 120) : "";
      out.push(`${"  ".repeat(depth)}${symbolKind(s.kind)} ${s.name}${detail} — ${span} (at ${sel.line + 1}:${columnOf(lines[sel.line], sel.character)})`);
      if (s.children?.length) walk(s.children, depth + 1);
    }
  };
  walk(answer as DocumentSymbol[], 0);
  return out;
}

/** One workspace symbol's place. */
export function workspaceSymbolPlace(s: SymbolInformation | WorkspaceSymbol): { uri: string; position: Position | undefined } {
  const loc = s.location as Location | { uri: string };
  return { uri: loc.uri, position: "range" in loc ? loc.range.start : undefined };
}

const SEVERITY = ["", "error", "warning", "info", "hint"];

/** `path:line:col severity [source code] message`, continuation lines indented. */
export function formatDiagnostic(path: string, d: Diagnostic, lines: string[] | undefined): string {
  const { line, character } = d.range.start;
  const severity = SEVERITY[d.severity ?? 1] ?? "error";
  const tag = [d.source, d.code].filter((x) => x !== undefined && x !== "").join(" ");
  const text = typeof d.message === "string" ? d.message : (d.message as { value: string }).value;
  const message = text.split(LINE_BREAK).join("\n    ");
  return `${path}:${line + 1}:${columnOf(lines?.[line], character)} ${severity}${tag ? ` [${tag}]` : ""} ${message}`;
}

/** Most severe first, then by position. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => (a.severity ?? 1) - (b.severity ?? 1) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

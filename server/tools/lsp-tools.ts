// The agent's language-server tools, over the proxied servers (ctx.intel): diagnostics, definition,
// references, hover, symbols. Positions are 1-based line and column (characters), as the read tool
// shows lines; the file's current text (through ctx.files, so unsaved editor text and this
// session's edits included) is what the servers are told before they are asked.
// Also the edit tools' hook: after a write, the file's fresh diagnostics are appended to the result.
import { z } from "zod";
import type { SymbolInformation, WorkspaceSymbol } from "vscode-languageserver-protocol";
import { displayPath, documentSymbolLines, formatDiagnostic, hoverText, LineReader, linesOf, locationsOf, sortDiagnostics, symbolKind, toLspPosition, workspaceSymbolPlace } from "./lsp-format.ts";
import { defineTool, fail, ok, type DiagnosticsReport, type LanguageIntel, type PermissionNeed, type ToolContext, type ToolResult, pathNeed } from "./types.ts";

/** How long an edit waits for the servers' diagnostics before answering without them. */
export const EDIT_DIAGNOSTICS_TIMEOUT_MS = 3_000;
/** The diagnostics tool waits longer: the model asked for them. */
export const TOOL_DIAGNOSTICS_TIMEOUT_MS = 10_000;
const MAX_DIAGNOSTICS_PER_FILE = 50;
const MAX_LOCATIONS = 100;
const MAX_SYMBOLS = 300;

const NO_SERVERS =
  "No language server is available here: configure one under `proxy` in opencode.json (e.g. typescript-language-server for .ts files; see docs/proxy.md).";

interface Prepared {
  intel: LanguageIntel;
  rel: string;
  abs: string;
  text: string;
}

/** The file, its text and the intel, or the failed result saying why no server can answer. */
async function prepare(ctx: ToolContext, path: string): Promise<Prepared | ToolResult> {
  const intel = ctx.intel;
  if (!intel) return fail(NO_SERVERS);
  const target = await ctx.files.resolve(path);
  const stat = await ctx.files.stat(target.rel);
  if (!stat) return fail(`File not found: ${target.rel}.`);
  if (stat.type !== "file") return fail(`${target.rel} is not a regular file (${stat.type}).`);
  if (!intel.languageOf(target.abs)) return fail(`No configured language server takes ${target.rel} (by its extension). ${NO_SERVERS.slice(NO_SERVERS.indexOf("configure"))}`);
  const text = await ctx.files.readText(target.rel);
  return { intel, rel: target.rel, abs: target.abs, text };
}

const readNeed = (ctx: ToolContext, path: string): Promise<PermissionNeed[]> => pathNeed(ctx, path, "read");

// Positions ------------------------------------------------------------------------------------

const positionSchema = z.object({
  path: z.string().min(1).describe("File, relative to the workspace root"),
  line: z.number().int().min(1).describe("1-based line number (as the read tool numbers lines)"),
  column: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("1-based column of the symbol on that line, counted in characters; or give `symbol` instead"),
  symbol: z.string().optional().describe("The identifier on that line to ask about (finds the column; the occurrence nearest `column` if both are given)"),
});
type PositionInput = z.infer<typeof positionSchema>;

const positionTitle = (tool: string) => (input: PositionInput) => `${tool} ${input.path}:${input.line}${input.column ? `:${input.column}` : ""}${input.symbol ? ` ${input.symbol}` : ""}`;

/** Syncs the file and sends a position request; the answer or the failed result. */
async function positionRequest(ctx: ToolContext, input: PositionInput, method: string, extra: Record<string, unknown> = {}) {
  const prepared = await prepare(ctx, input.path);
  if ("status" in prepared) return prepared;
  const position = toLspPosition(prepared.text, input.line, input.column, input.symbol);
  if (typeof position === "string") return fail(`${prepared.rel}: ${position}.`);
  const answer = await prepared.intel.request(method, prepared.abs, prepared.text, { position, ...extra }, { signal: ctx.signal });
  if (!answer) return fail(`No running language server for ${prepared.rel} answers ${method.replace("textDocument/", "")} requests.`);
  const lineText = linesOf(prepared.text)[position.line] ?? "";
  const word = /^[\p{L}\p{N}_$]*/u.exec(lineText.slice(position.character))?.[0] ?? "";
  return { ...prepared, answer: answer.result, position, word };
}

export const definitionTool = defineTool({
  name: "definition",
  description:
    "Go to definition through the language server: where the symbol at a position is defined. Give the file, the 1-based line and either the 1-based column or the symbol's name on that line.",
  schema: positionSchema,
  title: positionTitle("definition"),
  permissions: (input, ctx) => readNeed(ctx, input.path),
  async run(input, ctx) {
    const r = await positionRequest(ctx, input, "textDocument/definition");
    if ("status" in r) return r;
    const locations = locationsOf(r.answer);
    const name = r.word ? `\`${r.word}\`` : "the symbol";
    if (locations.length === 0) return ok(`No definition found for ${name} at ${r.rel}:${input.line}.`, { count: 0 });
    const reader = new LineReader(ctx, { path: r.rel, text: r.text });
    const lines = await Promise.all(locations.slice(0, MAX_LOCATIONS).map((l) => reader.at(l.uri, l.position)));
    return ok(`Definition${locations.length === 1 ? "" : "s"} of ${name}:\n${lines.join("\n")}`, { count: locations.length });
  },
});

export const referencesTool = defineTool({
  name: "references",
  description:
    "Find every reference to the symbol at a position, through the language server (declaration included). Give the file, the 1-based line and either the 1-based column or the symbol's name on that line.",
  schema: positionSchema,
  title: positionTitle("references"),
  permissions: (input, ctx) => readNeed(ctx, input.path),
  async run(input, ctx) {
    const r = await positionRequest(ctx, input, "textDocument/references", { context: { includeDeclaration: true } });
    if ("status" in r) return r;
    const locations = locationsOf(r.answer);
    const name = r.word ? `\`${r.word}\`` : "the symbol";
    if (locations.length === 0) return ok(`No references found for ${name} at ${r.rel}:${input.line}.`, { count: 0 });
    const reader = new LineReader(ctx, { path: r.rel, text: r.text });
    const files = new Set(locations.map((l) => l.uri));
    const lines = await Promise.all(locations.slice(0, MAX_LOCATIONS).map((l) => reader.at(l.uri, l.position)));
    const more = locations.length > MAX_LOCATIONS ? `\n… and ${locations.length - MAX_LOCATIONS} more` : "";
    return ok(`${locations.length} reference${locations.length === 1 ? "" : "s"} to ${name} in ${files.size} file${files.size === 1 ? "" : "s"}:\n${lines.join("\n")}${more}`, {
      count: locations.length,
    });
  },
});

export const hoverTool = defineTool({
  name: "hover",
  description:
    "The language server's hover at a position: the symbol's type or signature and its documentation. Give the file, the 1-based line and either the 1-based column or the symbol's name on that line.",
  schema: positionSchema,
  title: positionTitle("hover"),
  permissions: (input, ctx) => readNeed(ctx, input.path),
  async run(input, ctx) {
    const r = await positionRequest(ctx, input, "textDocument/hover");
    if ("status" in r) return r;
    const text = hoverText(r.answer as never);
    const where = `${r.rel}:${input.line}:${input.column ?? r.position.character + 1}${r.word ? ` \`${r.word}\`` : ""}`;
    return ok(text ? `${where}\n${text}` : `Nothing to show at ${where}.`);
  },
});

// Symbols -----------------------------------------------------------------------------------------

const symbolsSchema = z.object({
  path: z.string().min(1).optional().describe("File, relative to the workspace root: lists its symbols (outline). With `query`, the project of this file is searched"),
  query: z.string().optional().describe("Search the whole workspace for symbols matching this name (workspace symbols) instead of listing one file"),
});

export const symbolsTool = defineTool({
  name: "symbols",
  description:
    "Symbols from the language server: the outline of one file (classes, functions, variables with their lines) given `path`, or a workspace-wide search by name given `query` (add a `path` in the project to help servers that need an open file).",
  schema: symbolsSchema,
  title: (input) => (input.query !== undefined ? `symbols "${input.query}"` : `symbols ${input.path ?? ""}`),
  permissions: (input, ctx) => (input.path ? readNeed(ctx, input.path) : []),
  async run(input, ctx) {
    if (input.query !== undefined) return workspaceSymbols(ctx, input.query, input.path);
    if (!input.path) return fail("Give `path` (a file's outline) or `query` (a workspace search).");
    const prepared = await prepare(ctx, input.path);
    if ("status" in prepared) return prepared;
    const answer = await prepared.intel.request("textDocument/documentSymbol", prepared.abs, prepared.text, {}, { signal: ctx.signal });
    if (!answer) return fail(`No running language server for ${prepared.rel} lists document symbols.`);
    const lines = documentSymbolLines(answer.result, linesOf(prepared.text));
    if (lines.length === 0) return ok(`No symbols in ${prepared.rel}.`, { count: 0 });
    const shown = lines.slice(0, MAX_SYMBOLS);
    const more = lines.length > MAX_SYMBOLS ? `\n… and ${lines.length - MAX_SYMBOLS} more` : "";
    return ok(`Symbols in ${prepared.rel}:\n${shown.join("\n")}${more}`, { count: lines.length });
  },
});

async function workspaceSymbols(ctx: ToolContext, query: string, path: string | undefined): Promise<ToolResult> {
  if (!ctx.intel) return fail(NO_SERVERS);
  let near: Prepared | undefined;
  // A file to anchor the search: the one given, or the last one this session edited that a server takes.
  const anchor = path ?? [...ctx.session.touched].reverse().find(() => true);
  if (anchor) {
    const prepared = await prepare(ctx, anchor);
    if ("status" in prepared) {
      if (path) return prepared;
    } else near = prepared;
  }
  const answer = await ctx.intel.workspaceSymbols(query, near && { abs: near.abs, text: near.text }, { signal: ctx.signal });
  if (!answer) return fail("No running language server answers workspace symbol searches" + (path ? "." : "; give `path` of a file in the project (some servers search only projects with an open file)."));
  const symbols = answer.result as (SymbolInformation | WorkspaceSymbol)[];
  if (symbols.length === 0) return ok(`No symbols match "${query}".${path ? "" : " (Some servers search only projects with an open file: give `path` of a file in the project.)"}`, { count: 0 });
  const reader = new LineReader(ctx, near && { path: near.rel, text: near.text });
  const lines = await Promise.all(
    symbols.slice(0, MAX_SYMBOLS).map(async (s) => {
      const place = workspaceSymbolPlace(s);
      const where = place.position ? await reader.at(place.uri, place.position, false) : displayPath(ctx, place.uri);
      return `${symbolKind(s.kind)} ${s.name}${s.containerName ? ` (in ${s.containerName})` : ""} — ${where}`;
    }),
  );
  const more = symbols.length > MAX_SYMBOLS ? `\n… and ${symbols.length - MAX_SYMBOLS} more` : "";
  return ok(`${symbols.length} symbol${symbols.length === 1 ? "" : "s"} matching "${query}":\n${lines.join("\n")}${more}`, { count: symbols.length });
}

// Diagnostics ---------------------------------------------------------------------------------------

const diagnosticsSchema = z.object({
  paths: z
    .array(z.string().min(1))
    .optional()
    .describe("Files to check, relative to the workspace root. Default: the files this session has edited"),
});

export const diagnosticsTool = defineTool({
  name: "diagnostics",
  description:
    "Errors and warnings from the language servers for files, fresh for their current text (waits for the servers to re-check). Without paths: the files you edited in this session. Lines read `path:line:col severity [source code] message`.",
  schema: diagnosticsSchema,
  title: (input) => `diagnostics ${input.paths?.join(" ") ?? "(edited files)"}`,
  async permissions(input, ctx) {
    const needs: PermissionNeed[] = [];
    for (const p of input.paths ?? []) needs.push(...(await readNeed(ctx, p)));
    return needs;
  },
  async run(input, ctx) {
    if (!ctx.intel) return fail(NO_SERVERS);
    const paths = input.paths?.length ? input.paths : [...ctx.session.touched];
    if (paths.length === 0) return fail("No paths given, and this session has not edited any file yet: pass `paths`.");
    const sections: string[] = [];
    let errors = 0;
    let warnings = 0;
    let checked = 0;
    const results = await Promise.all(
      paths.map(async (path) => {
        const prepared = await prepare(ctx, path);
        if ("status" in prepared) return { path, text: prepared.output };
        const report = await prepared.intel.diagnostics(prepared.abs, prepared.text, { timeoutMs: TOOL_DIAGNOSTICS_TIMEOUT_MS, signal: ctx.signal });
        if (!report) return { path, text: `${prepared.rel}: no configured language server takes this file.` };
        return { path, report, rel: prepared.rel, lines: linesOf(prepared.text) };
      }),
    );
    for (const r of results) {
      if (!("report" in r) || !r.report) {
        sections.push(r.text!);
        continue;
      }
      checked++;
      errors += r.report.diagnostics.filter((d) => (d.severity ?? 1) === 1).length;
      warnings += r.report.diagnostics.filter((d) => d.severity === 2).length;
      sections.push(describeReport(r.rel!, r.report, r.lines!, { all: true }));
    }
    const summary = checked > 0 ? `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"} in ${checked} file${checked === 1 ? "" : "s"}.` : "";
    return ok([...sections, summary].filter(Boolean).join("\n\n"), { errors, warnings, files: checked });
  },
});

/** A file's report as lines; `all` includes info and hints (the edit hook shows errors and warnings). */
function describeReport(rel: string, report: DiagnosticsReport, lines: string[], options: { all: boolean }): string {
  const by = report.servers.join(", ");
  const shown = sortDiagnostics(report.diagnostics.filter((d) => options.all || (d.severity ?? 1) <= 2));
  const hidden = report.diagnostics.length - shown.length;
  const stale = report.fresh ? "" : ` (${report.pending.join(", ")} had not re-checked the file within ${Math.round(report.waitedMs / 100) / 10} s: these may be out of date)`;
  if (shown.length === 0) {
    const rest = hidden > 0 ? ` (${hidden} hint${hidden === 1 ? "" : "s"}/info not shown)` : "";
    return `${rel}: no errors or warnings from ${by}${rest}.${stale}`;
  }
  const listed = shown.slice(0, MAX_DIAGNOSTICS_PER_FILE).map((d) => formatDiagnostic(rel, d, lines));
  if (shown.length > MAX_DIAGNOSTICS_PER_FILE) listed.push(`… and ${shown.length - MAX_DIAGNOSTICS_PER_FILE} more`);
  if (hidden > 0) listed.push(`(${hidden} hint${hidden === 1 ? "" : "s"}/info not shown)`);
  return `${rel} (${by})${stale}:\n${listed.join("\n")}`;
}

/**
 * The edit tools' hook: remembers the file as touched by this session and, when a server takes it,
 * appends its fresh diagnostics (errors and warnings) to a successful result. Never fails the edit.
 */
export async function withDiagnostics(ctx: ToolContext, rel: string, result: ToolResult): Promise<ToolResult> {
  if (result.status !== "completed") return result;
  ctx.session.touched.delete(rel);
  ctx.session.touched.add(rel);
  const intel = ctx.intel;
  if (!intel) return result;
  try {
    const target = await ctx.files.resolve(rel);
    if (!intel.languageOf(target.abs)) return result;
    const text = await ctx.files.readText(target.rel);
    const report = await intel.diagnostics(target.abs, text, { timeoutMs: EDIT_DIAGNOSTICS_TIMEOUT_MS, signal: ctx.signal });
    if (!report || report.servers.length === 0) return result;
    const errors = report.diagnostics.filter((d) => (d.severity ?? 1) === 1).length;
    return {
      ...result,
      output: `${result.output}\n\nDiagnostics after this edit:\n${describeReport(target.rel, report, linesOf(text), { all: false })}`,
      metadata: { ...result.metadata, diagnostics: { errors, total: report.diagnostics.length, fresh: report.fresh } },
    };
  } catch (error) {
    ctx.logger?.debug({ err: error, path: rel }, "diagnostics after edit failed");
    return result;
  }
}

export const lspTools = [diagnosticsTool, definitionTool, referencesTool, hoverTool, symbolsTool];

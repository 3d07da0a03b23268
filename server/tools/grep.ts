// grep: search file contents with a regular expression. ripgrep when it is on PATH (spawned with an
// argv, never a shell), a pure-JS walk otherwise; both respect .gitignore (also outside a git
// repository), search hidden files, skip .git, binaries, files over 10 MB, symlinks and `.env`-like
// files, and return the same matches sorted by path and line.
import { spawn } from "node:child_process";
import picomatch from "picomatch";
import { z } from "zod";
import { which } from "../sandbox/limits.ts";
import { truncateLine } from "./output.ts";
import { isEnvFile } from "./permissions.ts";
import { defineTool, fail, ok, type Tool, type ToolContext, type ToolResult, pathNeed } from "./types.ts";
import { walk } from "./walk.ts";

export const GREP_MAX_FILESIZE = 10 * 1024 * 1024;
/** Matches kept in memory at most; beyond this the search stops early. */
const HARD_MATCH_LIMIT = 20_000;
const DEFAULT_MAX_RESULTS = 200;
const MATCH_LINE_CHARS = 500;
const JS_CONCURRENCY = 16;

export interface GrepMatch {
  path: string;
  line: number;
  text: string;
}

export interface GrepSearch {
  pattern: string;
  /** Workspace-relative directory or file. */
  path: string;
  include?: string;
  ignoreCase?: boolean;
}

export interface GrepOutcome {
  matches: GrepMatch[];
  /** Stopped at HARD_MATCH_LIMIT. */
  incomplete: boolean;
  warning?: string;
}

const schema = z.object({
  pattern: z.string().min(1).describe("Regular expression to search for (ripgrep / Rust regex syntax; JavaScript RegExp in the fallback)"),
  path: z.string().optional().describe("Directory or file to search, relative to the workspace root (default: the whole workspace)"),
  include: z
    .string()
    .optional()
    .describe('Glob of files to search, e.g. "*.ts" (matched against the file name) or "src/**/*.{ts,tsx}" (against the path)'),
  ignoreCase: z.boolean().optional().describe("Case-insensitive search"),
  maxResults: z.number().int().min(1).max(2000).optional().describe(`Most matches to show (default ${DEFAULT_MAX_RESULTS})`),
});

export interface GrepToolOptions {
  /** Path of ripgrep; "auto" looks on PATH (the default), null forces the JS fallback. */
  ripgrep?: string | null | "auto";
}

export function grepTool(options: GrepToolOptions = {}): Tool<typeof schema> {
  const rgOption = options.ripgrep === undefined ? "auto" : options.ripgrep;
  return defineTool({
    name: "grep",
    description:
      "Search file contents in the workspace with a regular expression. Respects .gitignore. Returns matching lines as path:line: text, sorted by path. Use include to filter files by glob.",
    schema,
    title: (input) => `grep ${input.pattern}${input.path ? ` in ${input.path}` : ""}`,
    permissions: (input, ctx) => pathNeed(ctx, input.path ?? ".", "read"),
    async run(input, ctx): Promise<ToolResult> {
      const target = await ctx.files.resolve(input.path ?? ".");
      const stat = await ctx.files.stat(target.rel);
      if (!stat) return fail(`Path not found: ${input.path}`);
      const search: GrepSearch = { pattern: input.pattern, path: target.rel, include: input.include, ignoreCase: input.ignoreCase };
      const rg = rgOption === "auto" ? which("rg") : rgOption;
      let outcome: GrepOutcome;
      try {
        outcome = rg ? await grepWithRipgrep(rg, search, ctx) : await grepWithJs(search, ctx);
      } catch (error) {
        if (error instanceof GrepError) return fail(error.message);
        throw error;
      }
      return formatMatches(outcome, input.maxResults ?? DEFAULT_MAX_RESULTS, rg ? "ripgrep" : "js");
    },
  });
}

export class GrepError extends Error {
  override name = "GrepError";
}

function formatMatches(outcome: GrepOutcome, maxResults: number, engine: string): ToolResult {
  const { matches } = outcome;
  const metadata = { matches: matches.length, engine, incomplete: outcome.incomplete };
  if (matches.length === 0) return ok(`No matches found.${outcome.warning ? `\n${outcome.warning}` : ""}`, metadata);
  const shown = matches.slice(0, maxResults);
  const fileCount = new Set(matches.map((m) => m.path)).size;
  const lines: string[] = [
    `Found ${matches.length}${outcome.incomplete ? "+" : ""} match${matches.length === 1 ? "" : "es"} in ${fileCount}${outcome.incomplete ? "+" : ""} file${fileCount === 1 ? "" : "s"}`,
  ];
  let current = "";
  for (const m of shown) {
    if (m.path !== current) {
      current = m.path;
      lines.push("", `${m.path}:`);
    }
    lines.push(`  ${m.line}: ${truncateLine(m.text.replace(/\r$/, ""), MATCH_LINE_CHARS)}`);
  }
  if (matches.length > shown.length) {
    lines.push("", `[${matches.length - shown.length} more matches not shown; narrow the pattern, path or include]`);
  }
  if (outcome.warning) lines.push("", outcome.warning);
  return ok(lines.join("\n"), metadata);
}

function sortMatches(matches: GrepMatch[]): GrepMatch[] {
  return matches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
}

/** ripgrep flags that make it behave like the JS walk (and like git) whatever the user's setup. */
export function ripgrepArgs(search: GrepSearch): string[] {
  const args = [
    "--no-heading",
    "--with-filename",
    "--line-number",
    "--null",
    "--color=never",
    "--no-messages",
    "--hidden",
    "--no-require-git",
    "--no-ignore-parent",
    "--no-ignore-global",
    "--no-ignore-exclude",
    "--no-ignore-dot",
    "--no-config",
    "--max-filesize",
    String(GREP_MAX_FILESIZE),
    "--glob",
    "!.git",
  ];
  // Not --glob: ripgrep's globs override .gitignore. A file type filters without un-ignoring; it
  // matches file names, so an include with a "/" is applied to the results instead.
  if (search.include && !search.include.replace(/^!/, "").includes("/")) {
    const negated = search.include.startsWith("!");
    args.push("--type-add", `include:${negated ? search.include.slice(1) : search.include}`, negated ? "--type-not" : "--type", "include");
  }
  if (search.ignoreCase) args.push("--ignore-case");
  args.push("--regexp", search.pattern, "--", search.path === "." ? "." : search.path);
  return args;
}

export async function grepWithRipgrep(rg: string, search: GrepSearch, ctx: Pick<ToolContext, "root" | "signal">): Promise<GrepOutcome> {
  const args = ripgrepArgs(search);
  const include = includeMatcher(search.include);
  return await new Promise<GrepOutcome>((resolve, reject) => {
    const child = spawn(rg, args, { cwd: ctx.root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RIPGREP_CONFIG_PATH: "" } });
    const matches: GrepMatch[] = [];
    let incomplete = false;
    let pending = "";
    let stderr = "";
    const onAbort = () => child.kill("SIGKILL");
    ctx.signal.addEventListener("abort", onAbort, { once: true });

    const takeLine = (line: string) => {
      const nul = line.indexOf("\0");
      if (nul < 0) return;
      let path = line.slice(0, nul);
      const rest = line.slice(nul + 1);
      const colon = rest.indexOf(":");
      if (colon < 0) return;
      if (path.startsWith("./")) path = path.slice(2);
      if (isEnvFile(path)) return;
      if (include && !include(path, path.slice(path.lastIndexOf("/") + 1))) return;
      matches.push({ path, line: Number(rest.slice(0, colon)), text: rest.slice(colon + 1) });
      if (matches.length >= HARD_MATCH_LIMIT && !incomplete) {
        incomplete = true;
        child.kill("SIGKILL");
      }
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (incomplete) return;
      pending += chunk;
      let nl: number;
      while (!incomplete && (nl = pending.indexOf("\n")) >= 0) {
        takeLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.on("error", (error) => {
      ctx.signal.removeEventListener("abort", onAbort);
      reject(new GrepError(`could not run ripgrep (${rg}): ${error.message}`));
    });
    child.on("close", (code) => {
      ctx.signal.removeEventListener("abort", onAbort);
      if (ctx.signal.aborted) return reject(new GrepError("grep was cancelled"));
      if (pending && !incomplete) takeLine(pending);
      if (code === 2 && matches.length === 0 && !incomplete) {
        const message = stderr.trim() || "ripgrep failed";
        return reject(new GrepError(`grep failed: ${message}`));
      }
      const warning = code === 2 ? "Note: some files could not be searched." : undefined;
      resolve({ matches: sortMatches(matches), incomplete, ...(warning ? { warning } : {}) });
    });
  });
}

/** A matcher for `include`: against the file name when it has no slash, else against the path. */
function includeMatcher(include: string | undefined): ((rel: string, name: string) => boolean) | null {
  if (!include) return null;
  const negated = include.startsWith("!");
  const glob = negated ? include.slice(1) : include;
  const isMatch = picomatch(glob, { dot: true });
  const byName = !glob.includes("/");
  return (rel, name) => isMatch(byName ? name : rel) !== negated;
}

export async function grepWithJs(search: GrepSearch, ctx: Pick<ToolContext, "files" | "signal">): Promise<GrepOutcome> {
  let regex: RegExp;
  try {
    regex = new RegExp(search.pattern, search.ignoreCase ? "i" : "");
  } catch (error) {
    throw new GrepError(`grep failed: invalid regular expression: ${(error as Error).message}`);
  }
  const include = includeMatcher(search.include);
  const matches: GrepMatch[] = [];
  let incomplete = false;

  const searchFile = async (rel: string) => {
    const stat = await ctx.files.stat(rel);
    if (!stat || stat.size > GREP_MAX_FILESIZE) return;
    const bytes = await ctx.files.readFile(rel);
    if (bytes.subarray(0, 65536).includes(0)) return;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    let lineNo = 0;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      lineNo++;
      const line = text.slice(start, end);
      if (regex.test(line)) {
        matches.push({ path: rel, line: lineNo, text: line });
        if (matches.length >= HARD_MATCH_LIMIT) {
          incomplete = true;
          return;
        }
      }
      start = end + 1;
    }
  };

  const stat = await ctx.files.stat(search.path);
  if (stat?.type === "file") {
    // An explicit file is searched even if ignored (as ripgrep does).
    await searchFile(search.path);
    return { matches: sortMatches(matches), incomplete };
  }
  const files: string[] = [];
  await walk({
    files: ctx.files,
    start: search.path,
    signal: ctx.signal,
    visit(entry) {
      if (entry.type !== "file" || isEnvFile(entry.name)) return;
      if (include && !include(entry.rel, entry.name)) return;
      files.push(entry.rel);
    },
  });
  // A few files in flight at once: the walk is I/O bound.
  let next = 0;
  const worker = async () => {
    while (next < files.length && !incomplete) {
      if (ctx.signal.aborted) throw new GrepError("grep was cancelled");
      const rel = files[next++]!;
      try {
        await searchFile(rel);
      } catch {
        // unreadable: skipped, like ripgrep with --no-messages
      }
    }
  };
  await Promise.all(Array.from({ length: JS_CONCURRENCY }, worker));
  return { matches: sortMatches(matches), incomplete };
}

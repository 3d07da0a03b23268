// Path confinement, in one place. Every path a tool touches is resolved here: `..` that climbs out,
// absolute paths outside the workspace, and symlinks whose target lies outside (dangling ones
// included) are refused. What a model writes for a path is taken the way it means it: `file://`
// URIs become paths, `~` the home directory (then confined like any other path); a shell variable
// or another URI scheme is refused rather than taken as a file of that name in the workspace.
import { realpathSync } from "node:fs";
import { lstat, readlink, realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, relative, resolve, sep, basename, join } from "node:path";
import { fileURLToPath } from "node:url";

export class PathError extends Error {
  override name = "PathError";
}

export interface ResolvedPath {
  /** Absolute path (lexically resolved, symlinks not expanded). */
  abs: string;
  /** Workspace-relative path with forward slashes; "." for the root itself. */
  rel: string;
  /** Absolute path with symlinks expanded, as far as the path exists. */
  real: string;
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** Resolves `input` against `root` and checks it lexically and through symlinks. */
export class PathGuard {
  readonly root: string;
  readonly realRoot: string;
  private readonly extraRoots: { abs: string; real: string }[];

  /** `extraRoots` (policy.allowPaths) are further directories paths may lie in. */
  constructor(root: string, extraRoots: string[] = []) {
    this.root = resolve(root);
    this.realRoot = safeRealpathSync(this.root);
    this.extraRoots = extraRoots.map((r) => {
      const abs = resolve(this.root, r);
      return { abs, real: safeRealpathSync(abs) };
    });
  }

  private allowedLexically(abs: string): boolean {
    return isInside(this.root, abs) || this.extraRoots.some((r) => isInside(r.abs, abs));
  }

  private allowedReally(real: string): boolean {
    return isInside(this.realRoot, real) || this.extraRoots.some((r) => isInside(r.real, real));
  }

  async resolve(input: string): Promise<ResolvedPath> {
    if (typeof input !== "string" || input.length === 0) throw new PathError("path is empty");
    if (input.includes("\0")) throw new PathError("path contains a NUL byte");
    const abs = resolve(this.root, asFilePath(input));
    if (!this.allowedLexically(abs)) {
      throw new PathError(
        `path "${input}" is outside the workspace (${this.root}); only files inside the workspace can be accessed`,
      );
    }
    const real = await realOfExistingPrefix(abs);
    if (!this.allowedReally(real)) {
      throw new PathError(`path "${input}" resolves through a symlink to ${real}, which is outside the workspace; refused`);
    }
    const rel = toPosix(relative(this.root, abs)) || ".";
    return { abs, rel, real };
  }
}

/** What the model wrote, as a file path: `file://` URIs and `~` expanded; other forms refused. */
function asFilePath(input: string): string {
  if (/^file:/i.test(input)) {
    try {
      return fileURLToPath(input);
    } catch (error) {
      throw new PathError(`"${input}" is not a usable file:// URI (${(error as Error).message}); give a path relative to the workspace root`);
    }
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(input)) throw new PathError(`"${input}" is a URI, not a file path; give a path relative to the workspace root`);
  if (input === "~" || input.startsWith("~/")) return join(homedir(), input.slice(1));
  if (input.startsWith("~")) throw new PathError(`"${input}": another user's home directory is outside the workspace; refused`);
  if (/^\$(\{|[A-Za-z_])/.test(input)) throw new PathError(`"${input}": shell variables are not expanded in paths; give a path relative to the workspace root`);
  return input;
}

function safeRealpathSync(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * realpath of the longest existing prefix of `abs`, with the missing rest appended. A dangling
 * symlink on the way is followed to where it points (a write through it would create its target).
 */
async function realOfExistingPrefix(abs: string, hops = 0): Promise<string> {
  const missing: string[] = [];
  let current = abs;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length ? join(real, ...missing.reverse()) : real;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOENT: not there yet (a file about to be written); ENOTDIR: a file used as a dir.
      if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "ELOOP") throw error;
      if (code === "ELOOP" || hops > 40) throw new PathError(`${abs} goes through a loop of symlinks; refused`);
      const dangling = await danglingTarget(current);
      if (dangling !== undefined) return realOfExistingPrefix(join(dangling, ...missing.reverse()), hops + 1);
      const parent = dirname(current);
      if (parent === current) return abs;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/** Where `path` points when it is a symlink whose target does not exist; undefined otherwise. */
async function danglingTarget(path: string): Promise<string | undefined> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return undefined;
    return resolve(dirname(path), await readlink(path));
  } catch {
    return undefined;
  }
}

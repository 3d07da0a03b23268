// A directory walk through WorkspaceFiles that honours .gitignore files the way git (and ripgrep)
// do: every directory's .gitignore applies below it, deeper files override shallower ones, `!`
// re-includes, an ignored directory is not entered. `.git` is always skipped; symlinks are reported
// but never followed.
import ignore, { type Ignore } from "ignore";
import type { EntryType, WorkspaceFiles } from "./workspace-files.ts";

interface Layer {
  /** Directory of the .gitignore, workspace-relative, "" for the root. */
  base: string;
  ig: Ignore;
}

export class GitIgnoreStack {
  private readonly layers: Layer[] = [];

  push(base: string, content: string): void {
    this.layers.push({ base, ig: ignore({ allowRelativePaths: true }).add(content) });
  }

  /** A copy sharing the layers so far (for a subdirectory). */
  clone(): GitIgnoreStack {
    const copy = new GitIgnoreStack();
    copy.layers.push(...this.layers);
    return copy;
  }

  ignores(rel: string, isDir: boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      if (layer.base && !rel.startsWith(`${layer.base}/`)) continue;
      const local = layer.base ? rel.slice(layer.base.length + 1) : rel;
      if (!local) continue;
      const result = layer.ig.test(isDir ? `${local}/` : local);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}

export interface WalkEntry {
  /** Workspace-relative path with forward slashes. */
  rel: string;
  name: string;
  type: EntryType;
  depth: number;
}

export interface WalkOptions {
  files: WorkspaceFiles;
  /** Workspace-relative directory to start in ("." for the root). */
  start: string;
  /** Directory names never entered (besides .git). */
  skipDirs?: ReadonlySet<string>;
  /** Extra gitignore-style patterns, relative to the start directory. */
  extraIgnores?: string[];
  signal?: AbortSignal;
  maxDepth?: number;
  /** Return "stop" to end the walk, "skip" to not enter this directory. */
  visit(entry: WalkEntry): void | "stop" | "skip";
}

async function readIgnoreFile(files: WorkspaceFiles, dir: string): Promise<string | null> {
  const path = dir === "" ? ".gitignore" : `${dir}/.gitignore`;
  try {
    return await files.readText(path);
  } catch {
    return null;
  }
}

function join(dir: string, name: string): string {
  return dir === "" ? name : `${dir}/${name}`;
}

/** Depth-first, entries of each directory sorted by name. Resolves false when stopped early. */
export async function walk(options: WalkOptions): Promise<boolean> {
  const { files } = options;
  const start = options.start === "." ? "" : options.start.replace(/\/+$/, "");
  const stack = new GitIgnoreStack();
  // .gitignore files of the ancestors between the root and the start directory apply too.
  const parts = start ? start.split("/") : [];
  for (let i = 0; i < parts.length; i++) {
    const dir = parts.slice(0, i).join("/");
    const content = await readIgnoreFile(files, dir);
    if (content) stack.push(dir, content);
  }
  // A directory asked for by name is searched even if it is ignored (as ripgrep does with an explicit
  // path): the ancestors' rules then no longer apply below it, only its own and deeper ones.
  const base = start && stack.ignores(start, true) ? new GitIgnoreStack() : stack;
  if (options.extraIgnores?.length) base.push(start, options.extraIgnores.join("\n"));

  const visitDir = async (dir: string, depth: number, ignores: GitIgnoreStack): Promise<boolean> => {
    if (options.signal?.aborted) return false;
    const entries = await files.readDir(dir === "" ? "." : dir);
    if (entries.some((e) => e.name === ".gitignore" && e.type === "file")) {
      const content = await readIgnoreFile(files, dir);
      if (content) {
        ignores = ignores.clone();
        ignores.push(dir, content);
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const rel = join(dir, entry.name);
      const isDir = entry.type === "directory";
      if (isDir && (entry.name === ".git" || options.skipDirs?.has(entry.name))) continue;
      if (ignores.ignores(rel, isDir)) continue;
      const action = options.visit({ rel, name: entry.name, type: entry.type, depth });
      if (action === "stop") return false;
      if (isDir && action !== "skip" && (options.maxDepth === undefined || depth < options.maxDepth)) {
        if (!(await visitDir(rel, depth + 1, ignores))) return false;
      }
    }
    return true;
  };
  return await visitDir(start, 0, base);
}

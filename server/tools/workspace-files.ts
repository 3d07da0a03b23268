// The one module through which tools read and write files. `WorkspaceFiles` is the interface; the
// disk implementation below is today's, and a Yjs workspace document will implement the same
// interface later (reads see unsaved editor text, writes become CRDT edits). Every method takes a
// path as the model wrote it and confines it through the PathGuard first.
import { mkdir, readFile, readdir, stat, writeFile, rename, lstat } from "node:fs/promises";
import { dirname } from "node:path";
import { PathGuard, type ResolvedPath } from "./paths.ts";

export type EntryType = "file" | "directory" | "symlink" | "other";

export interface FileStat {
  type: EntryType;
  size: number;
  mtimeMs: number;
}

export interface DirEntry {
  name: string;
  type: EntryType;
}

export interface WriteOutcome {
  created: boolean;
  pending?: number;
}

export interface WorkspaceFiles {
  /** The workspace root, absolute. */
  readonly root: string;
  /** Confines and resolves a path (throws PathError when it leads out). */
  resolve(path: string): Promise<ResolvedPath>;
  /** Stat following symlinks (inside the workspace), or null when the path does not exist. */
  stat(path: string): Promise<FileStat | null>;
  /**
   * Reads a file. `track`: the model saw this version, so it becomes the base that the session's
   * next write of the file is merged against (the Yjs implementation keeps it; the disk one ignores it).
   */
  readFile(path: string, options?: { track?: boolean }): Promise<Uint8Array>;
  readText(path: string, options?: { track?: boolean }): Promise<string>;
  /**
   * Writes text, creating parent directories, for `tool`. Returns whether the file was created and,
   * when the write waits for the user's review, how many hunks are pending in the file (it does not have them yet).
   */
  writeText(path: string, text: string, options?: { tool?: string }): Promise<WriteOutcome>;
  /** Entries of a directory; symlinks are reported as "symlink" and not followed. */
  readDir(path: string): Promise<DirEntry[]>;
}

function typeOf(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "directory";
  if (s.isSymbolicLink()) return "symlink";
  return "other";
}

export class DiskWorkspaceFiles implements WorkspaceFiles {
  readonly root: string;
  readonly guard: PathGuard;

  constructor(root: string, options: { allowPaths?: string[] } = {}) {
    this.guard = new PathGuard(root, options.allowPaths);
    this.root = this.guard.root;
  }

  resolve(path: string): Promise<ResolvedPath> {
    return this.guard.resolve(path);
  }

  async stat(path: string): Promise<FileStat | null> {
    const { abs } = await this.resolve(path);
    try {
      const s = await stat(abs);
      return { type: typeOf(s), size: s.size, mtimeMs: s.mtimeMs };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    const { abs } = await this.resolve(path);
    return await readFile(abs);
  }

  async readText(path: string): Promise<string> {
    const { abs } = await this.resolve(path);
    return await readFile(abs, "utf8");
  }

  async writeText(path: string, text: string): Promise<WriteOutcome> {
    const { abs } = await this.resolve(path);
    let created = false;
    try {
      const s = await lstat(abs);
      if (s.isDirectory()) throw new Error(`${path} is a directory`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      created = true;
    }
    await mkdir(dirname(abs), { recursive: true });
    if (created) {
      await writeFile(abs, text, { flag: "wx" });
    } else {
      // Write then rename: a reader never sees half a file. Keep writing through an existing
      // symlink (already confined) by writing to its target.
      const { real } = await this.resolve(path);
      const tmp = `${real}.opencode-${process.pid}-${Date.now()}.tmp`;
      const mode = (await stat(real)).mode;
      await writeFile(tmp, text, { mode });
      await rename(tmp, real);
    }
    return { created };
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const { abs } = await this.resolve(path);
    const entries = await readdir(abs, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, type: typeOf(e) }));
  }
}

// The tools' file access for one session, through the workspace doc: reads see the editor's
// unsaved text, writes merge as the session's CRDT edits. Path confinement, directories and stats
// of files no party has touched stay with the disk implementation.
import type { DirEntry, FileStat, WorkspaceFiles, WriteOutcome } from "../tools/workspace-files.ts";
import type { DiskWorkspaceFiles } from "../tools/workspace-files.ts";
import type { ResolvedPath } from "../tools/paths.ts";
import type { Workspace, WriteResult } from "./workspace.ts";

export class YjsWorkspaceFiles implements WorkspaceFiles {
  readonly root: string;
  private readonly disk: DiskWorkspaceFiles;
  private readonly workspace: Workspace;
  private readonly session: string;
  /** Told about each write (for the session's `edit` updates). */
  private readonly onWrite: ((abs: string, result: WriteResult, before: string | undefined) => void) | undefined;

  constructor(disk: DiskWorkspaceFiles, workspace: Workspace, session: string, onWrite?: (abs: string, result: WriteResult, before: string | undefined) => void) {
    this.disk = disk;
    this.root = disk.root;
    this.workspace = workspace;
    this.session = session;
    this.onWrite = onWrite;
  }

  resolve(path: string): Promise<ResolvedPath> {
    return this.disk.resolve(path);
  }

  async stat(path: string): Promise<FileStat | null> {
    const { abs } = await this.resolve(path);
    const text = this.workspace.textOf(abs);
    const onDisk = await this.disk.stat(path);
    if (text === undefined) return onDisk;
    return { type: "file", size: Buffer.byteLength(text), mtimeMs: onDisk?.mtimeMs ?? Date.now() };
  }

  async readFile(path: string, options: { track?: boolean } = {}): Promise<Uint8Array> {
    const { abs } = await this.resolve(path);
    const text = await this.workspace.read(abs, this.session, Boolean(options.track));
    return text === undefined ? this.disk.readFile(path) : Buffer.from(text, "utf8");
  }

  async readText(path: string, options: { track?: boolean } = {}): Promise<string> {
    const { abs } = await this.resolve(path);
    const text = await this.workspace.read(abs, this.session, Boolean(options.track));
    return text ?? this.disk.readText(path);
  }

  async writeText(path: string, text: string, options: { tool?: string } = {}): Promise<WriteOutcome> {
    const { abs } = await this.resolve(path);
    const before = this.workspace.textOf(abs);
    const result = await this.workspace.write(abs, text, this.session, options.tool);
    this.onWrite?.(abs, result, before);
    return { created: result.created, ...(result.pending !== undefined ? { pending: result.pending } : {}) };
  }

  readDir(path: string): Promise<DirEntry[]> {
    return this.disk.readDir(path);
  }
}

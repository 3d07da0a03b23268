// Test helpers for tools: a real temporary workspace on disk and a ToolContext over it.
import { mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DiskWorkspaceFiles } from "../../../server/tools/workspace-files.ts";
import { ToolSession, type AskPermission, type ToolContext } from "../../../server/tools/types.ts";

export interface TempWorkspace {
  root: string;
  files: DiskWorkspaceFiles;
  write(rel: string, content: string | Uint8Array): void;
  readText(rel: string): string;
  ctx(overrides?: Partial<ToolContext>): ToolContext;
  cleanup(): void;
}

export function tempDir(prefix = "opencode-tools-"): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export function makeWorkspace(initial: Record<string, string | Uint8Array> = {}): TempWorkspace {
  const root = tempDir();
  const write = (rel: string, content: string | Uint8Array) => {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  };
  for (const [rel, content] of Object.entries(initial)) write(rel, content);
  const files = new DiskWorkspaceFiles(root);
  return {
    root,
    files,
    write,
    readText: (rel) => readFileSync(join(root, rel), "utf8"),
    ctx: (overrides = {}) => ({
      root,
      files,
      signal: new AbortController().signal,
      session: new ToolSession("test"),
      ...overrides,
    }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export const allowAll: AskPermission = async () => "allow_once";

/** True when the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function waitFor(predicate: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return predicate();
}

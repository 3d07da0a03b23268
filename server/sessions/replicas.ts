// Replicas of a file's Yjs document (a session's, the editor's) and the file's text on disk.
import { open, stat } from "node:fs/promises";
import * as Y from "yjs";

/** Brings a replica up to date with the hub. */
export function catchUp(replica: Y.Doc, hub: Y.Doc): void {
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(hub, Y.encodeStateVector(replica)), "hub");
}

/**
 * A file's text and mtime; "binary" when it holds NUL bytes near its start (the rest is not read);
 * undefined when it does not exist.
 */
export async function readText(abs: string): Promise<{ text: string; mtimeMs: number } | "binary" | undefined> {
  let file;
  try {
    file = await open(abs, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const info = await file.stat();
    const head = Buffer.alloc(Math.min(8000, info.size));
    const { bytesRead } = await file.read(head, 0, head.length, 0); // at a position: the file's own position stays at 0
    if (head.subarray(0, bytesRead).includes(0)) return "binary";
    return { text: (await file.readFile()).toString("utf8"), mtimeMs: info.mtimeMs };
  } finally {
    await file.close();
  }
}

export async function exists(abs: string): Promise<boolean> {
  return stat(abs).then(
    () => true,
    () => false,
  );
}

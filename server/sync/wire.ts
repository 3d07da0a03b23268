// Session updates as they travel between machines: an `edit` names its file by the path relative
// to the workspace root (each machine has its own root), everything else as it is.
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SessionUpdate } from "../bus/events.ts";
import { localPath, relativePath } from "./names.ts";

export type WireUpdate = Exclude<SessionUpdate, { kind: "edit" }> | (Omit<Extract<SessionUpdate, { kind: "edit" }>, "uri"> & { path: string });

export function toWire(root: string, update: SessionUpdate): WireUpdate | undefined {
  if (update.kind !== "edit") return structuredClone(update);
  const path = update.uri.startsWith("file:") ? relativePath(root, fileURLToPath(update.uri)) : undefined;
  return path === undefined ? undefined : { kind: "edit", path, edits: structuredClone(update.edits) };
}

export function fromWire(root: string, wire: WireUpdate): SessionUpdate | undefined {
  if (typeof wire !== "object" || wire === null || typeof wire.kind !== "string") return undefined;
  if (wire.kind !== "edit") return wire;
  const abs = localPath(root, wire.path);
  return abs === undefined ? undefined : { kind: "edit", uri: pathToFileURL(abs).href, edits: wire.edits };
}

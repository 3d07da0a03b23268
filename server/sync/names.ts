// The names of the documents a room holds on the sync server, one place for them:
//   ROOM            the room's index: which sessions exist (id → title, model, createdAt, machine)
//   ROOM/s/ID       one session: metadata, transcript, the update stream, touched files, turns, reverts
//   ROOM/f/PATH     one workspace file, by its path relative to the workspace root (any machine's root)
import { isAbsolute, normalize, relative, resolve, sep } from "node:path";

/** Where both sides find the team token unless configured otherwise. */
export const TOKEN_ENV = "OPENCODE_LSP_SYNC_TOKEN";

/** The reason the server gives for a wrong token (the one refusal that stops a machine's link). */
export const REFUSED_TOKEN = "invalid token";

const ROOM = /^[\w.-]+$/;
const SESSION_ID = /^[\w-]{1,100}$/;

export function indexDoc(room: string): string {
  return room;
}

export function sessionDoc(room: string, id: string): string {
  return `${room}/s/${id}`;
}

export function fileDoc(room: string, rel: string): string {
  return `${room}/f/${rel}`;
}

/** A workspace-relative path with forward slashes, or undefined when `abs` is outside the root. */
export function relativePath(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return rel.split(sep).join("/");
}

/** The local path for a relative path that came from another machine; undefined if it would leave the root. */
export function localPath(root: string, rel: string): string | undefined {
  if (typeof rel !== "string" || !rel || rel.includes("\0") || rel.startsWith("/") || /^[a-zA-Z]:/.test(rel)) return undefined;
  const abs = resolve(root, normalize(rel));
  return relativePath(root, abs) === undefined ? undefined : abs;
}

export function validSessionId(id: unknown): id is string {
  return typeof id === "string" && SESSION_ID.test(id);
}

/** Whether the server accepts a document name: a room, a room's session, or a room's file. */
export function validDocumentName(name: string): boolean {
  const [room, kind, ...rest] = name.split("/");
  if (!room || !ROOM.test(room)) return false;
  if (kind === undefined) return true;
  if (kind === "s") return rest.length === 1 && validSessionId(rest[0]);
  if (kind === "f") return rest.length > 0 && localPath("/r", rest.join("/")) !== undefined;
  return false;
}

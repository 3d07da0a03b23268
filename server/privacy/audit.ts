// The audit log: append-only JSON lines, written through pino to a destination of their own (never
// the diagnostic log), each entry chained to the one before by hash:
//
//   hash = SHA-256(prev + canonicalJSON(entry without `hash`))
//
// where `prev` is the previous entry's hash (64 zeros for the first). Changing, removing, inserting
// or reordering a line breaks the chain at that line, and `verifyAuditLog` says where and why.
//
// Entries carry facts, never content: event names, provider ids, hosts, tool names, paths, reasons.
// The log is off unless `audit.enabled` (a file is a retention choice the user makes); the rest of the
// code records through `audit(event)`, a no-op while no log is open.
import { createHash } from "node:crypto";
import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pino, type Logger } from "pino";
import { redactText } from "../log.ts";

export const GENESIS = "0".repeat(64);
/** The line format's version, the first field of every line. */
export const AUDIT_FORMAT = 1;

export type AuditEventName =
  | "model.loaded"
  | "model.refused"
  | "provider.contacted"
  | "policy.denied"
  | "permission.asked"
  | "permission.answered"
  | "file.written_outside_open_set"
  | "share.created"
  | "mcp.connected"
  | "audit.opened";

type Field = string | number | boolean | null | undefined | string[];

export interface AuditEvent {
  event: AuditEventName;
  [field: string]: Field;
}

export interface AuditEntry {
  v?: number;
  seq: number;
  ts: string;
  event: AuditEventName;
  prev: string;
  hash: string;
  [field: string]: Field;
}

/** Deterministic JSON: object keys sorted, no whitespace. */
export function canonicalJSON(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJSON(v === undefined ? null : v)).join(",")}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

export function entryHash(entry: Omit<AuditEntry, "hash"> | Record<string, unknown>): string {
  const { hash: _drop, ...rest } = entry as Record<string, unknown>;
  return createHash("sha256")
    .update(String(rest.prev ?? ""))
    .update(canonicalJSON(rest))
    .digest("hex");
}

/** `$XDG_STATE_HOME/opencode-lsp/audit.jsonl` (XDG_STATE_HOME defaults to ~/.local/state). */
export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "opencode-lsp", "audit.jsonl");
}

const MAX_FIELD = 1000;

function clean(event: AuditEvent): Record<string, Field> {
  const out: Record<string, Field> = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined || key === "v" || key === "seq" || key === "ts" || key === "prev" || key === "hash") continue;
    // Secrets that slip into a subject (a bash command with a token) are redacted like in the log.
    if (typeof value === "string") out[key] = redactText(value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}…` : value);
    else if (Array.isArray(value)) out[key] = value.slice(0, 100).map((v) => redactText(String(v).slice(0, MAX_FIELD)));
    else out[key] = value;
  }
  return out;
}

/** The last complete line of a file (reads at most the last 64 KiB). */
function lastLine(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return undefined;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n").filter((l) => l.trim() !== "");
    return lines.at(-1);
  } finally {
    closeSync(fd);
  }
}

export class AuditLog {
  readonly path: string;
  private readonly logger: Logger;
  private readonly destination: ReturnType<typeof pino.destination>;
  private prev = GENESIS;
  private seq = 0;
  /** File size after our last write: a different size means another process appended. */
  private knownSize = -1;
  private closed = false;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Its own pino instance and destination: no level/time/pid/hostname, no redaction rewriting
    // fields after the hash is taken. The line is exactly the entry.
    this.destination = pino.destination({ dest: path, sync: true, append: true, mkdir: true, mode: 0o600 } as Parameters<typeof pino.destination>[0]);
    // pino always writes a level field first: the level formatter makes it the format version, `v`.
    this.logger = pino({ base: null, timestamp: false, formatters: { level: () => ({ v: AUDIT_FORMAT }) } }, this.destination);
    try {
      chmodSync(path, 0o600);
    } catch {
      // the file appears with the first write on some platforms
    }
    this.resume();
  }

  /** Picks up the chain where the file ends (this process or another wrote last). */
  private resume(): void {
    const line = lastLine(this.path);
    if (line === undefined) {
      this.prev = GENESIS;
      this.seq = 0;
    } else {
      try {
        const last = JSON.parse(line) as Partial<AuditEntry>;
        this.prev = typeof last.hash === "string" ? last.hash : createHash("sha256").update(line).digest("hex");
        this.seq = typeof last.seq === "number" ? last.seq : 0;
      } catch {
        // A damaged last line: chain on from its bytes; verification reports the damage itself.
        this.prev = createHash("sha256").update(line).digest("hex");
        this.seq = 0;
      }
    }
    this.knownSize = existsSync(this.path) ? statSync(this.path).size : 0;
  }

  /** Appends one entry and returns it (with its hash). */
  record(event: AuditEvent): AuditEntry {
    if (this.closed) throw new Error("audit log is closed");
    const size = existsSync(this.path) ? statSync(this.path).size : 0;
    if (size !== this.knownSize) this.resume();
    const body = { seq: this.seq + 1, ts: new Date().toISOString(), ...clean(event), prev: this.prev } as Omit<AuditEntry, "hash">;
    const entry = { ...body, hash: entryHash({ v: AUDIT_FORMAT, ...body }) } as AuditEntry;
    this.logger.info(entry); // written as {"v":1,...entry}
    this.prev = entry.hash;
    this.seq = entry.seq;
    this.knownSize = statSync(this.path).size;
    return entry;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.destination.flushSync?.();
    this.destination.end();
  }
}

export interface AuditVerifyResult {
  ok: boolean;
  /** Entries checked (all of them when ok; the good ones before the break otherwise). */
  entries: number;
  /** 1-based line number of the first bad line. */
  brokenAt?: number;
  reason?: string;
}

/** Checks the whole chain: every line parses, its hash matches its content, and it links to the one before. */
export function verifyAuditLog(path: string): AuditVerifyResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, entries: 0, reason: code === "ENOENT" ? `no audit log at ${path}` : `cannot read ${path}: ${(error as Error).message}` };
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let prev = GENESIS;
  let seq = 0;
  for (let i = 0; i < lines.length; i++) {
    const at = i + 1;
    const line = lines[i]!;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
      if (!entry || typeof entry !== "object" || Array.isArray(entry)) throw new Error("not an object");
    } catch {
      return { ok: false, entries: i, brokenAt: at, reason: `line ${at} is not a JSON object` };
    }
    if (typeof entry.hash !== "string" || typeof entry.prev !== "string") return { ok: false, entries: i, brokenAt: at, reason: `line ${at} has no hash/prev` };
    if (entry.prev !== prev) return { ok: false, entries: i, brokenAt: at, reason: `line ${at} does not follow line ${at - 1} (prev hash differs: a line was removed, inserted or reordered)` };
    if (entryHash(entry) !== entry.hash) return { ok: false, entries: i, brokenAt: at, reason: `line ${at} was modified (its hash does not match its content)` };
    if (entry.v !== AUDIT_FORMAT) return { ok: false, entries: i, brokenAt: at, reason: `line ${at} has format version ${String(entry.v)}, expected ${AUDIT_FORMAT}` };
    if (entry.seq !== seq + 1) return { ok: false, entries: i, brokenAt: at, reason: `line ${at} has seq ${String(entry.seq)}, expected ${seq + 1}` };
    prev = entry.hash;
    seq = entry.seq as number;
  }
  return { ok: true, entries: lines.length };
}

// ---------------------------------------------------------------------------------------------
// the process-wide log

let current: AuditLog | undefined;

/** Sets (or clears) the log that `audit()` writes to; closes the one it replaces. */
export function setAuditLog(log: AuditLog | undefined): void {
  if (current && current !== log) current.close();
  current = log;
}

export function currentAuditLog(): AuditLog | undefined {
  return current;
}

/**
 * Opens the log the configuration asks for (`audit.enabled`, `audit.file`), makes it the process-wide
 * one and returns it; closes and clears it when auditing is off. Safe to call on every config change.
 */
export function configureAudit(config: { audit?: { enabled?: boolean; file?: string } }, env: NodeJS.ProcessEnv = process.env): AuditLog | undefined {
  if (!config.audit?.enabled) {
    setAuditLog(undefined);
    return undefined;
  }
  const path = config.audit.file ?? defaultAuditPath(env);
  if (current?.path === path) return current;
  const log = new AuditLog(path);
  setAuditLog(log);
  return log;
}

let forward: ((event: AuditEvent) => void) | undefined;

/**
 * In a worker thread: hand events to the thread that writes the log instead of writing (one writer
 * keeps the hash chain whole). `undefined` stops forwarding.
 */
export function forwardAuditTo(send: ((event: AuditEvent) => void) | undefined): void {
  forward = send;
}

/** Records an event in the process-wide log; a no-op when auditing is off. Never throws. */
export function audit(event: AuditEvent): AuditEntry | undefined {
  if (forward) {
    try {
      forward(event);
    } catch {
      // A lost event must not break the caller.
    }
    return undefined;
  }
  if (!current) return undefined;
  try {
    return current.record(event);
  } catch {
    return undefined;
  }
}

/** `opencode-lsp audit verify [--file PATH] [--json]`: 0 the chain holds, 1 it is broken or missing, 2 usage. */
export async function auditCommand(args: string[], io: { stdout: (t: string) => void; stderr: (t: string) => void; env?: NodeJS.ProcessEnv; file?: string }): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "--help" || sub === "-h" || sub === "help") {
    io.stdout("Usage: opencode-lsp audit verify [--file PATH] [--json]\n\nChecks the audit log's hash chain (default file: audit.file from the config, else $XDG_STATE_HOME/opencode-lsp/audit.jsonl).\nExit codes: 0 intact, 1 broken or missing, 2 usage.\n");
    return 0;
  }
  if (sub !== "verify") {
    io.stderr(`opencode-lsp audit: ${sub ? `unknown command "${sub}"` : "missing command"} (verify)\n`);
    return 2;
  }
  let file = io.file;
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--json") json = true;
    else if (arg === "--file" && rest[i + 1]) file = rest[++i];
    else if (arg.startsWith("--file=")) file = arg.slice(7);
    else {
      io.stderr(`opencode-lsp audit verify: unknown argument ${arg}\n`);
      return 2;
    }
  }
  const path = file ?? defaultAuditPath(io.env);
  const result = verifyAuditLog(path);
  if (json) io.stdout(`${JSON.stringify({ file: path, ...result })}\n`);
  else if (result.ok) io.stdout(`ok: ${result.entries} entries, chain intact (${path})\n`);
  else io.stderr(`audit log broken: ${result.reason}${result.brokenAt ? ` (first bad line ${result.brokenAt}; ${result.entries} good entries before it)` : ""}\n`);
  return result.ok ? 0 : 1;
}

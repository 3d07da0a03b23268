// Review before write: a session's edit under review stays in its own replica of the file (its
// view), not in the workspace doc, until the user decides. What is pending is always the line
// diff between the file as it is now and the session's view merged with it (review-hunks.ts), so
// the hunks follow the user's typing through the CRDT. Accepting splices the chosen hunks into the
// workspace doc as the session's change (one undo step; `revert` still takes it back), rejecting
// drops them from the view and keeps a note for the session's next turn.
import type { ReviewHunk as Hunk } from "../bus/events.ts";
import type { FileEntry } from "./file-entry.ts";
import { applyHunks, hunksBetween } from "./review-hunks.ts";

export type { Hunk };

/** What the review needs of the workspace. */
export interface ReviewHost {
  entry(abs: string): FileEntry | undefined;
  /** The session's view of the file: its replica merged with the file's current text. */
  view(entry: FileEntry, session: string): string;
  /** Makes `text` the file's text as the session's change, and `view` the session's view. */
  settle(entry: FileEntry, session: string, text: string, view: string): void;
  /** Sends the accepted changes of these files to where they show, as one edit where it can. */
  deliver(entries: FileEntry[], label: string): Promise<void>;
}

/** How the model and the user are told of paths and sessions. */
export interface ReviewNames {
  /** A path as the model is told it (relative to the workspace root). */
  path: (abs: string) => string;
  /** A session as the user knows it (its title). */
  session: (id: string) => string;
}

export interface ReviewFilter {
  sessionId?: string;
  /** A file, by absolute path. */
  abs?: string;
  hunkId?: string;
}

/** The pending set of a session changed: its files (one with no hunks was cleared). */
export type ReviewListener = (sessionId: string, files: { uri: string; hunks: Hunk[] }[]) => void;

/** What a decision did, for the caller and for the session's next turn. */
export interface Decision {
  hunks: Hunk[];
  sessions: Set<string>;
}

export class ReviewDesk {
  /** abs → the sessions with changes pending there. */
  private readonly pending = new Map<string, Set<string>>();
  /** session → the uris its last notice listed (so a cleared file is sent once, empty). */
  private readonly shown = new Map<string, Set<string>>();
  /** session → notes on rejected changes, for its next turn. */
  private readonly rejected = new Map<string, string[]>();
  private readonly listeners = new Set<ReviewListener>();
  private readonly touched = new Set<string>();
  private touchTimer: NodeJS.Timeout | undefined;
  private readonly host: ReviewHost;
  private readonly names: ReviewNames;

  constructor(host: ReviewHost, names: ReviewNames) {
    this.host = host;
    this.names = names;
  }

  onChange(listener: ReviewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isPending(abs: string, session: string): boolean {
    return this.pending.get(abs)?.has(session) ?? false;
  }

  /** The session's view of `entry` changed (an edit under review): returns how many hunks it has there now. */
  proposed(entry: FileEntry, session: string): number {
    const hunks = this.hunksOf(entry, session);
    this.mark(entry.abs, session, hunks.length > 0);
    this.notify(new Set([session]));
    return hunks.length;
  }

  /** The pending hunks, by file then line. */
  list(filter: ReviewFilter = {}): Hunk[] {
    const out: Hunk[] = [];
    for (const [entry, session] of this.pairs(filter)) out.push(...this.hunksOf(entry, session).filter((h) => !filter.hunkId || h.id === filter.hunkId));
    return out;
  }

  /**
   * Accepts (or rejects) the pending hunks the filter names. Throws when a named hunk is not
   * pending (any more). Accepted hunks are applied to every file at once, as one edit.
   */
  async decide(filter: ReviewFilter, accept: boolean): Promise<Decision> {
    const decided: Hunk[] = [];
    const sessions = new Set<string>();
    const entries = new Set<FileEntry>();
    for (const [entry, session] of this.pairs(filter)) {
      const current = entry.text.toString();
      const view = this.host.view(entry, session);
      const hunks = hunksBetween(current, view, session, entry.uri);
      const picked = filter.hunkId ? hunks.filter((h) => h.id === filter.hunkId) : hunks;
      if (picked.length === 0) continue;
      const rest = hunks.filter((h) => !picked.includes(h));
      if (accept) this.host.settle(entry, session, applyHunks(current, picked), view);
      else {
        this.host.settle(entry, session, current, applyHunks(current, rest));
        this.noteRejections(session, entry.abs, picked);
      }
      this.mark(entry.abs, session, rest.length > 0);
      decided.push(...picked);
      sessions.add(session);
      entries.add(entry);
    }
    if (filter.hunkId && decided.length === 0) throw new Error(`no pending change ${filter.hunkId}${filter.sessionId ? ` of session ${filter.sessionId}` : ""} (it was decided, or the file changed under it); list the review again`);
    this.notify(sessions);
    const of = [...sessions].map((s) => this.names.session(s)).join(", ");
    if (accept && entries.size > 0) await this.host.deliver([...entries], `OpenCode: accepted ${decided.length} change${decided.length === 1 ? "" : "s"} of ${of}`);
    return { hunks: decided, sessions };
  }

  /** The session's files with changes pending, each with its hunks. */
  pendingFiles(session: string): { uri: string; hunks: Hunk[] }[] {
    return [...this.pairs({ sessionId: session })].map(([entry]) => ({ uri: entry.uri, hunks: this.hunksOf(entry, session) }));
  }

  /** Notes on the changes the user rejected since the session's last turn (taken: told once). */
  takeRejections(session: string): string[] {
    const notes = this.rejected.get(session) ?? [];
    this.rejected.delete(session);
    return notes;
  }

  /** A file with pending changes changed (someone typed): its hunks moved; tell the clients soon. */
  fileChanged(abs: string): void {
    const sessions = this.pending.get(abs);
    if (!sessions) return;
    for (const s of sessions) this.touched.add(s);
    this.touchTimer ??= setTimeout(() => {
      this.touchTimer = undefined;
      const touched = new Set(this.touched);
      this.touched.clear();
      this.notify(touched);
    }, 100);
    this.touchTimer.unref();
  }

  /** Drops what `session` has pending (revert, end): nothing is applied, and nothing is noted. */
  discard(session: string): void {
    for (const [abs, sessions] of this.pending) {
      if (!sessions.delete(session)) continue;
      const entry = this.host.entry(abs);
      if (entry) this.host.settle(entry, session, entry.text.toString(), entry.text.toString());
      if (sessions.size === 0) this.pending.delete(abs);
    }
    this.rejected.delete(session);
    this.notify(new Set([session]));
  }

  /** The file is gone from the workspace: what was pending there goes with it. */
  forget(abs: string): void {
    const sessions = this.pending.get(abs);
    this.pending.delete(abs);
    if (sessions) this.notify(sessions);
  }

  private *pairs(filter: ReviewFilter): Generator<[FileEntry, string]> {
    const files = [...this.pending.keys()].filter((abs) => !filter.abs || abs === filter.abs).sort();
    for (const abs of files) {
      const entry = this.host.entry(abs);
      if (!entry) continue;
      for (const session of [...(this.pending.get(abs) ?? [])].sort()) if (!filter.sessionId || session === filter.sessionId) yield [entry, session];
    }
  }

  private hunksOf(entry: FileEntry, session: string): Hunk[] {
    return hunksBetween(entry.text.toString(), this.host.view(entry, session), session, entry.uri);
  }

  private mark(abs: string, session: string, pending: boolean): void {
    let sessions = this.pending.get(abs);
    if (pending) {
      if (!sessions) this.pending.set(abs, (sessions = new Set()));
      sessions.add(session);
    } else if (sessions) {
      sessions.delete(session);
      if (sessions.size === 0) this.pending.delete(abs);
    }
  }

  private noteRejections(session: string, abs: string, hunks: Hunk[]): void {
    const notes = this.rejected.get(session) ?? [];
    for (const h of hunks) {
      const where = h.removed > 0 ? `lines ${h.range.start.line + 1}-${h.range.end.line}` : `an insertion before line ${h.range.start.line + 1}`;
      notes.push(`The user rejected your change to ${this.names.path(abs)} (${where}); it is not in the file. Do not make it again unless asked.\n${diffLines("-", h.oldText)}${diffLines("+", h.newText)}`);
    }
    this.rejected.set(session, notes);
  }

  private notify(sessions: Set<string>): void {
    for (const session of sessions) {
      const byUri = new Map<string, Hunk[]>();
      for (const uri of this.shown.get(session) ?? []) byUri.set(uri, []);
      for (const { uri, hunks } of this.pendingFiles(session)) byUri.set(uri, hunks);
      const files = [...byUri].map(([uri, hunks]) => ({ uri, hunks }));
      const now = new Set(files.filter((f) => f.hunks.length > 0).map((f) => f.uri));
      if (files.length === 0) continue;
      if (now.size > 0) this.shown.set(session, now);
      else this.shown.delete(session);
      for (const listener of this.listeners) listener(session, files);
    }
  }
}

function diffLines(sign: string, text: string): string {
  return text ? `${text.replace(/\n$/, "").split("\n").map((l) => `${sign}${l}`).join("\n")}\n` : "";
}

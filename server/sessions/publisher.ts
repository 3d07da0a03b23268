// Brings a file's merged text to where it shows — the editor's buffer, one workspace/applyEdit at a
// time, for an open file; the disk for the rest — and tells each waiting write when its change got
// there, or why it could not. Nothing waits on the editor without a bound: the didChange after an
// applied edit is awaited `echoTimeoutMs` (then the edit counts as delivered on the editor's word,
// and the next edit waits for the editor's next change), a refusal stands when no didChange
// follows within the same time, and every write fails after `deliveryTimeoutMs` in all.
import { stat } from "node:fs/promises";
import type { Logger } from "../log.ts";
import { audit } from "../privacy/audit.ts";
import { stateOf } from "./delivery.ts";
import type { EchoKind } from "./echo-reading.ts";
import type { ApplyEdit, ApplyEdits, EditAnswer, EditorReplica, SentEdit } from "./editor-replica.ts";
import type { FileEntry } from "./file-entry.ts";

/** Writes a file to disk (atomically; the path is already confined). */
export type WriteFile = (abs: string, text: string) => Promise<void>;

export interface EditTiming {
  /** How long the didChange after an applied edit (or a refusal) is awaited. */
  echoTimeoutMs: number;
  /** How long a write waits for its change to reach the buffer or the disk before it fails. */
  deliveryTimeoutMs: number;
}

export interface PublisherOptions {
  writeFile: WriteFile;
  applyEdit: () => ApplyEdit | undefined;
  /** Edits to several buffers as one request, when the front has it. */
  applyEdits?: () => ApplyEdits | undefined;
  timing: () => EditTiming;
  log?: Logger;
  /** Tells the user (window/showMessage in the editor fronts). */
  notice?: (message: string) => void;
}

export class Publisher {
  private readonly options: PublisherOptions;
  /** Buffers whose editor applied an edit without reporting it: the user is told once per buffer. */
  private readonly silentEditors = new Set<string>();

  constructor(options: PublisherOptions) {
    this.options = options;
  }

  /** Waits until the change up to `clock` of `client` is where the file shows (`schedule`: and sends it). */
  deliver(entry: FileEntry, client: number, clock: number, schedule = true): Promise<void> {
    const waited = entry.deliveries.wait(client, clock, this.options.timing().deliveryTimeoutMs, () => this.whyNotYet(entry));
    if (schedule) this.schedule(entry);
    return waited;
  }

  /** Publishes changes after the current synchronous work. */
  schedule(entry: FileEntry): void {
    queueMicrotask(() => {
      this.flush(entry).catch((error: unknown) => this.options.log?.error({ err: error, file: entry.abs }, "publishing a change failed"));
    });
  }

  async flush(entry: FileEntry): Promise<void> {
    while (entry.flushing) await entry.flushing;
    if (!entry.dirty) return;
    const editor = entry.editor;
    const applyEdit = this.options.applyEdit();
    // An editor that cannot apply edits gets the file written to disk instead.
    if (editor && applyEdit && (editor.busy || entry.wait)) return; // resumed when the editor speaks or the wait ends
    entry.dirty = false;
    entry.flushing = (editor && applyEdit ? this.pushToEditor(entry, editor, applyEdit) : this.pushToDisk(entry)).finally(() => {
      entry.flushing = undefined;
    });
    await entry.flushing;
  }

  /** The editor sent a didChange (already applied to its replica, and read as `reading` if it settled an edit of ours). */
  editorChanged(entry: FileEntry, reading: EchoKind | undefined): void {
    if (reading === "dropped") this.dropped(entry);
    if (!entry.editor || entry.editor.busy) return; // held while our edit is out
    this.endWait(entry);
    entry.refusal = undefined;
    this.settled(entry);
  }

  /** didClose: what the buffer did not take goes to the disk. */
  editorClosed(entry: FileEntry): void {
    this.endWait(entry);
    entry.refusal = undefined;
    entry.dirty = true;
    this.schedule(entry);
  }

  /** The file is dropped: timers stop, waiting writes fail with `reason`. */
  drop(entry: FileEntry, reason: string): void {
    this.endWait(entry);
    entry.deliveries.failAll(reason);
  }

  private async pushToEditor(entry: FileEntry, editor: EditorReplica, applyEdit: ApplyEdit): Promise<void> {
    const edit = editor.prepareEdit();
    if (edit === "busy") {
      entry.dirty = true;
      return;
    }
    if (!edit) {
      this.settled(entry);
      return;
    }
    const answer = await Promise.race([ask(applyEdit, entry.uri, edit), editor.closed.then(() => undefined)]);
    this.answered(entry, editor, edit, answer);
  }

  /**
   * Sends what several open files lack as one workspace/applyEdit (one step to undo in the editor,
   * under `label`), when the editor takes multi-file edits and none of them has an edit out; any
   * other file goes its usual way. Call it right after changing the files, in the same tick.
   */
  flushTogether(entries: FileEntry[], label: string): void {
    const applyEdits = this.options.applyEdits?.();
    const ready = applyEdits ? entries.filter((e) => e.dirty && e.editor && !e.flushing && !e.wait && !e.editor.busy) : [];
    const batch = ready.flatMap((entry) => {
      const edit = entry.editor!.prepareEdit();
      return edit && edit !== "busy" ? [{ entry, editor: entry.editor!, edit }] : [];
    });
    for (const entry of entries) if (!batch.some((b) => b.entry === entry)) this.schedule(entry);
    if (!applyEdits || batch.length === 0) return;
    const sent = askAll(applyEdits, batch.map(({ entry, edit }) => ({ uri: entry.uri, version: edit.version, edits: edit.edits })), label);
    for (const { entry, editor, edit } of batch) {
      entry.dirty = false;
      entry.flushing = Promise.race([sent, editor.closed.then(() => undefined)])
        .then((answer) => this.answered(entry, editor, edit, answer))
        .catch((error: unknown) => this.options.log?.error({ err: error, file: entry.abs }, "publishing a change failed"))
        .finally(() => {
          entry.flushing = undefined;
        });
    }
  }

  /** The editor's answer to our edit of one buffer (undefined: the buffer closed meanwhile). */
  private answered(entry: FileEntry, editor: EditorReplica, edit: SentEdit, answer: EditAnswer | undefined): void {
    if (!answer || entry.editor !== editor) return; // closed meanwhile: the file follows the disk
    const { caughtUp, reading } = editor.editResult(answer.applied);
    if (reading === "dropped") this.dropped(entry);
    if (answer.applied) {
      if (editor.stage === "echo") this.waitForEditor(entry, () => this.echoMissing(entry, editor, edit));
      else this.settled(entry);
      return;
    }
    entry.dirty = true;
    entry.refusal = answer.failureReason || "no reason given";
    this.options.log?.debug({ uri: entry.uri, version: edit.version, reason: entry.refusal }, "editor refused an edit");
    // Refused for typing it has reported meanwhile: resend at once. Otherwise wait for its next change.
    if (caughtUp) this.schedule(entry);
    else this.waitForEditor(entry, () => entry.deliveries.failAll(`the editor refused it (${entry.refusal})`));
  }

  /** The editor answered `applied: true`, yet its buffer does not have the edit (Neovim skips a stale one): send it again. */
  private dropped(entry: FileEntry): void {
    this.options.log?.warn({ uri: entry.uri }, "the editor answered applied: true but its buffer does not have the edit; sending it again");
    entry.dirty = true;
  }

  /** The applied edit's didChange did not come: delivered on the editor's word; the next edit waits for a change. */
  private echoMissing(entry: FileEntry, editor: EditorReplica, edit: SentEdit): void {
    if (!editor.echoTimedOut(edit)) return;
    entry.deliveries.reached(edit.state);
    const ms = this.options.timing().echoTimeoutMs;
    this.options.log?.warn({ uri: entry.uri, ms }, "the editor applied an edit but sent no didChange");
    if (this.silentEditors.has(entry.uri)) return;
    this.silentEditors.add(entry.uri);
    this.options.notice?.(`OpenCode: the editor applied an edit to ${entry.abs} without reporting the change (no didChange within ${ms} ms). OpenCode sends further edits to it once the editor reports a change; until then they wait, and fail if none comes.`);
  }

  /** Waits for the editor's next didChange (editorChanged ends the wait); `expired` when none comes in time. */
  private waitForEditor(entry: FileEntry, expired: () => void): void {
    this.endWait(entry);
    entry.wait = setTimeout(() => {
      entry.wait = undefined;
      expired();
      this.settled(entry);
    }, this.options.timing().echoTimeoutMs);
    entry.wait.unref(); // a wait for the editor never holds the process up by itself
  }

  private endWait(entry: FileEntry): void {
    clearTimeout(entry.wait);
    entry.wait = undefined;
  }

  /** What the buffer holds is settled: release the writes it covers, send what is left. */
  private settled(entry: FileEntry): void {
    if (entry.editor && entry.deliveries.waiting) entry.deliveries.reached(stateOf(entry.editor.doc));
    if (entry.dirty) this.schedule(entry);
  }

  private async pushToDisk(entry: FileEntry): Promise<void> {
    const text = entry.text.toString();
    const state = stateOf(entry.doc);
    if (entry.disk?.text !== text) {
      entry.writing = text;
      try {
        await this.options.writeFile(entry.abs, text);
        entry.disk = { text, mtimeMs: (await stat(entry.abs)).mtimeMs };
      } catch (error) {
        entry.deliveries.failAll(`writing the file failed: ${(error as Error).message}`);
        throw error;
      } finally {
        entry.writing = undefined;
      }
      audit({ event: "file.written_outside_open_set", path: entry.abs, bytes: Buffer.byteLength(text) });
    }
    entry.deliveries.reached(state);
  }

  /** Why a write is still waiting, for its failure message. */
  private whyNotYet(entry: FileEntry): string {
    const seconds = `${this.options.timing().deliveryTimeoutMs / 1000} s`;
    const editor = entry.editor;
    if (!editor || !this.options.applyEdit()) return `the file could not be written within ${seconds}`;
    if (entry.refusal) return `the editor refused it (${entry.refusal})`;
    switch (editor.stage) {
      case "sent":
        return `the editor did not answer workspace/applyEdit within ${seconds}`;
      case "echo":
        return `the editor did not report the edit it applied before this one`;
      case "unconfirmed":
        return "the editor applied an earlier edit without reporting the change (no didChange) and has reported none since, so what its buffer holds is unknown";
      default:
        return `it could not be sent within ${seconds}`;
    }
  }
}

/** workspace/applyEdit; an error answer (eglot's way to refuse a stale version) is a refusal with its message. */
async function ask(applyEdit: ApplyEdit, uri: string, edit: SentEdit): Promise<EditAnswer> {
  try {
    return await applyEdit(uri, edit.version, edit.edits);
  } catch (error) {
    return { applied: false, failureReason: (error as Error)?.message ?? String(error) };
  }
}

/** One workspace/applyEdit for several buffers; an error answer refuses them all. */
async function askAll(applyEdits: ApplyEdits, files: Parameters<ApplyEdits>[0], label: string): Promise<EditAnswer> {
  try {
    return await applyEdits(files, label);
  } catch (error) {
    return { applied: false, failureReason: (error as Error)?.message ?? String(error) };
  }
}

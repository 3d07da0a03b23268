// What review decisions do to the workspace doc: a session's view of a file (its replica merged with
// the file, the replica itself untouched), settling a decision (the accepted text spliced in as the
// session's change, the replica rebuilt with what is still pending), and delivering accepted changes
// of several files as one edit.
import * as Y from "yjs";
import { DeliveryError } from "./delivery.ts";
import type { FileEntry } from "./file-entry.ts";
import type { Publisher } from "./publisher.ts";
import type { ReviewHost } from "./review.ts";
import { catchUp } from "./replicas.ts";
import { spliceYText, textSplices } from "./text-diff.ts";

export interface ReviewHostDeps {
  files: Map<string, FileEntry>;
  publisher: Publisher;
  /** The session's UndoManager on the file (made on first use), so `revert` takes accepted changes back. */
  undoManager: (entry: FileEntry, session: string) => Y.UndoManager;
  /** Drops a file from the workspace. */
  forget: (entry: FileEntry, reason: string) => void;
  notice?: (message: string) => void;
}

export function reviewHost(deps: ReviewHostDeps): ReviewHost {
  return {
    entry: (abs) => deps.files.get(abs),

    view(entry, session) {
      const fork = entry.forks.get(session);
      if (!fork) return entry.text.toString();
      const merged = new Y.Doc();
      Y.applyUpdate(merged, Y.encodeStateAsUpdate(fork));
      catchUp(merged, entry.doc);
      const text = merged.getText("t").toString();
      merged.destroy();
      return text;
    },

    settle(entry, session, text, view) {
      const current = entry.text.toString();
      if (text !== current) {
        deps.undoManager(entry, session);
        spliceYText(entry.doc, entry.text, textSplices(current, text), session);
      }
      entry.forks.get(session)?.destroy();
      const fork = new Y.Doc();
      catchUp(fork, entry.doc);
      if (view !== text) spliceYText(fork, fork.getText("t"), textSplices(text, view), session);
      entry.forks.set(session, fork);
      // A file a session proposed to create, rejected: it never existed, so it goes again.
      if (view === "" && text === "" && !entry.editor && !entry.disk && !entry.dirty && !entry.flushing) deps.forget(entry, "its creation was rejected");
    },

    async deliver(entries, label) {
      const waits = entries.map((entry) => deps.publisher.deliver(entry, entry.doc.clientID, Y.getState(entry.doc.store, entry.doc.clientID), false));
      deps.publisher.flushTogether(entries, label);
      const failed = (await Promise.allSettled(waits)).flatMap((r, i) => (r.status === "rejected" ? [`${entries[i]!.abs}: ${(r.reason as Error).message}`] : []));
      if (failed.length > 0) {
        deps.notice?.(`OpenCode: an accepted change has not reached the editor yet (it stays in the workspace and is sent when the editor reports a change): ${failed.join("; ")}.`);
        throw new DeliveryError(`the accepted change has not reached ${failed.join("; ")}`);
      }
    },
  };
}

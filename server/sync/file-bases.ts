// What each workspace file held when the workspace took it in: the common base a machine's file
// doc is rebuilt from when it is first shared (file-sync.ts). Recorded from the start of the agent
// runtime when sync is configured; small (only this and yjs), so the runtime loads it eagerly and
// the provider and the rest of sync/ lazily.
import type { Workspace } from "../sessions/workspace.ts";

export class FileBases {
  private readonly bases = new Map<string, string>();
  readonly stop: () => void;

  constructor(workspace: Workspace) {
    this.stop = workspace.onFile((file) => this.bases.set(file.abs, file.initial));
  }

  /** The base of a file, once: after it is shared the file doc carries its history. */
  take(abs: string): string | undefined {
    const base = this.bases.get(abs);
    this.bases.delete(abs);
    return base;
  }
}

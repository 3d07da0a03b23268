// The client's buffers as the workspace's open documents, when the client offers fs/read_text_file
// and fs/write_text_file: a session reading a file gets the buffer (unsaved changes included), and
// what the workspace doc merged for it (sessions' edits, the user's typing, reverts) goes back as
// fs/write_text_file with the whole new text. Like an LSP editor's documents, but pulled, not pushed.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type * as acp from "@agentclientprotocol/sdk";
import { methods } from "@agentclientprotocol/sdk";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Logger } from "../log.ts";
import type { ApplyEdit } from "../sessions/editor-replica.ts";
import type { ReadBuffer, Workspace } from "../sessions/workspace.ts";

export interface ClientBuffersDeps {
  client: () => acp.AgentContext;
  /** What the client offers (known once it initialized). */
  fs: () => acp.FileSystemCapabilities | undefined;
  log: Logger;
}

export class ClientBuffers {
  /** The text of each buffer as we last read or wrote it, and the session that did. */
  private readonly known = new Map<string, { text: string; session: string }>();
  private readonly deps: ClientBuffersDeps;

  constructor(deps: ClientBuffersDeps) {
    this.deps = deps;
  }

  /** Whether the client has buffers to offer at all. */
  get offered(): boolean {
    return Boolean(this.deps.fs()?.readTextFile || this.deps.fs()?.writeTextFile);
  }

  /** Makes `workspace` read and write files through the client. */
  attach(workspace: Workspace): void {
    if (!this.offered) return;
    workspace.setReadBuffer(this.read);
    workspace.setApplyEdit(this.applyEdit(workspace));
  }

  /**
   * The buffer's text (a client that only writes: the file on disk, so that the file still counts as
   * open and its changes go out as writes). undefined when there is no such file.
   */
  private readonly read: ReadBuffer = async (uri, session) => {
    const path = fileURLToPath(uri);
    let text: string;
    try {
      text = this.deps.fs()?.readTextFile
        ? (await this.deps.client().request(methods.client.fs.readTextFile, { sessionId: session, path })).content
        : await readFile(path, "utf8");
    } catch (error) {
      this.deps.log.debug({ err: error, path }, "no buffer for the file; it is read from disk");
      return undefined;
    }
    this.known.set(uri, { text, session });
    return text;
  };

  /** The merged edits, applied to the buffer's text, written back whole; the echo tells the workspace it landed. */
  private applyEdit(workspace: Workspace): ApplyEdit {
    return async (uri, version, edits) => {
      const known = this.known.get(uri);
      if (!known) return { applied: false, failureReason: "the client has no buffer of this file" };
      const text = TextDocument.applyEdits(TextDocument.create(uri, "plaintext", version, known.text), edits);
      const path = fileURLToPath(uri);
      if (this.deps.fs()?.writeTextFile) {
        try {
          await this.deps.client().request(methods.client.fs.writeTextFile, { sessionId: known.session, path, content: text });
        } catch (error) {
          // The change must land somewhere: where the client would have saved it.
          this.deps.log.warn({ err: error, path }, "fs/write_text_file failed; writing the file to disk");
          await writeFile(path, text, "utf8");
        }
      } else {
        await writeFile(path, text, "utf8"); // a client that reads buffers but does not write them
      }
      this.known.set(uri, { text, session: known.session });
      workspace.changeInEditor(uri, [{ text }], version + 1);
      return { applied: true };
    };
  }
}

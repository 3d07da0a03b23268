// A session out of the editor and back: a share link (the transcript, redacted and signed, in the
// URL fragment; nothing is uploaded), a session seeded from such a link, and the transcript as a
// Markdown file in a private temp dir (erased with the session and on shutdown), shown read-only.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ErrorCodes, MessageType, ResponseError, type ClientCapabilities, type Connection } from "vscode-languageserver/node";
import type { Config } from "../config/index.ts";
import type { AnySession as Session } from "../sessions/manager.ts";

export interface SessionExportsOptions {
  connection: Connection;
  config: () => Config;
  capabilities: () => ClientCapabilities;
  show: (type: MessageType, message: string) => void;
}

export class SessionExports {
  private transcriptDir: string | undefined;
  private readonly options: SessionExportsOptions;

  constructor(options: SessionExportsOptions) {
    this.options = options;
  }

  /** A share link of the session. */
  async share(session: Session): Promise<unknown> {
    const { createShareLink, describeRedactions } = await import("../share/index.ts");
    const config = this.options.config();
    const secrets = Object.values(config.providers).flatMap((p) => (p.apiKey ? [p.apiKey] : []));
    try {
      const link = createShareLink(
        { version: 1, sessionId: session.id, title: session.title, model: session.model, createdAt: session.createdAt.toISOString(), messages: session.messages },
        { ...(config.share.baseUrl ? { baseUrl: config.share.baseUrl } : {}), sign: config.share.sign, secrets, dropToolOutputs: "if-needed" },
      );
      const redacted = describeRedactions(link.redactions);
      (await import("../privacy/index.ts")).audit({ event: "share.created", session: session.id, signed: link.signed, keyId: link.keyId ?? null, bytes: link.size.fragment });
      this.options.show(MessageType.Info, `OpenCode share link ready${link.keyId ? ` (signed, key ${link.keyId})` : " (unsigned)"}${redacted ? `; redacted ${redacted}` : ""}${link.toolOutputsDropped ? "; tool outputs dropped to fit" : ""}.`);
      return { url: link.url, redactions: link.redactions, keyId: link.keyId ?? null, size: link.size };
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidRequest, `OpenCode: ${(error as Error).message}`);
    }
  }

  /** A new session (made by `create`) seeded from a share link, so a peer continues from the exact history. */
  async importLink(url: string, create: (options: { title: string; model?: string }) => Promise<Session>): Promise<Session> {
    const { openShareLink, toProviderMessage } = await import("../share/index.ts");
    let transcript;
    try {
      transcript = openShareLink(url);
    } catch (error) {
      throw new ResponseError(ErrorCodes.InvalidParams, `OpenCode: ${(error as Error).message}`);
    }
    const title = `${transcript.title} (imported)`;
    const session = await create({ title, ...(transcript.model ? { model: transcript.model } : {}) }).catch(() => create({ title }));
    session.seed(transcript.messages.map(toProviderMessage));
    return session;
  }

  /** The transcript as Markdown, shown read-only (or its path told, for editors that cannot show a document). */
  async openTranscript(session: Session): Promise<unknown> {
    this.transcriptDir ??= mkdtempSync(join(tmpdir(), "opencode-lsp-"));
    const file = join(this.transcriptDir, `${session.id}.md`);
    writeFileSync(file, transcriptMarkdown(session), { mode: 0o600 });
    const uri = pathToFileURL(file).href;
    if (!this.options.capabilities().window?.showDocument?.support) {
      this.options.show(MessageType.Info, `OpenCode transcript: ${file}`);
      return { uri };
    }
    await this.options.connection.window.showDocument({ uri, takeFocus: true });
    return { uri };
  }

  /** The session ended: the transcript file `open` may have written goes with it. */
  ended(id: string): void {
    if (this.transcriptDir) rmSync(join(this.transcriptDir, `${id}.md`), { force: true });
  }

  dispose(): void {
    if (this.transcriptDir) rmSync(this.transcriptDir, { recursive: true, force: true });
  }
}

function transcriptMarkdown(session: Session): string {
  const lines = [`# ${session.title}`, "", `model: ${session.model} · started ${session.createdAt.toISOString()}`, ""];
  for (const m of session.messages) {
    if (m.role === "user") lines.push("## User", "", m.content, "");
    else if (m.role === "assistant") {
      lines.push("## OpenCode", "");
      if (m.content) lines.push(m.content, "");
      for (const call of m.toolCalls ?? []) lines.push(`- **${call.name}** \`${JSON.stringify(call.input).slice(0, 200)}\``);
      if (m.toolCalls?.length) lines.push("");
    } else {
      lines.push(`<details><summary>${m.toolName}${m.isError ? " (failed)" : ""}</summary>`, "", "```", m.content.slice(0, 4000), "```", "</details>", "");
    }
  }
  return lines.join("\n");
}

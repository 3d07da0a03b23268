// `opencode-lsp share view URL` (or `-`: the link on stdin, for links longer than a command-line
// argument may be — Linux caps one at 128 KiB). The link is untrusted: verified before anything
// is shown, the transcript printed through the terminal sanitizer, and a refusal's reason (which
// may quote the link) escaped the same way.
import type { Readable } from "node:stream";
import { formatKiB, MAX_LINK_CHARS, ShareLinkError, verifyShareLink } from "./link.ts";
import { renderTranscriptText, sanitizeForTerminal } from "./render-text.ts";

export interface ShareViewIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: Readable;
  /** Colours (stdout is a terminal). */
  color: boolean;
}

/** Reads the link from a stream, stopping past the most a link may hold. */
async function readLink(stream: Readable): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    if (text.length > MAX_LINK_CHARS) {
      stream.destroy();
      throw new ShareLinkError("too_large", `the link is over the ${formatKiB(MAX_LINK_CHARS)} a link may hold`);
    }
  }
  return text;
}

export async function shareViewCommand(url: string, io: ShareViewIo): Promise<number> {
  try {
    const link = url === "-" ? await readLink(io.stdin) : url;
    const opened = verifyShareLink(link);
    io.stdout(`${renderTranscriptText(opened.transcript, { color: io.color, link: opened })}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ShareLinkError)) throw error;
    io.stderr(`opencode-lsp: ${sanitizeForTerminal(error.message)}\n`);
    return 1;
  }
}

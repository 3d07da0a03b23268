// `opencode-lsp share view URL`: a shared transcript as terminal text. Content from a link is
// untrusted: every control character (ESC and the rest of C0/C1, but newline and tab) is shown as a
// visible `^X` / `\xNN` instead of reaching the terminal, so a transcript cannot move the cursor,
// retitle the window or hide text. Colour (ANSI) only when asked for.
import type { SharedMessage, Transcript } from "./transcript.ts";

export interface RenderTextOptions {
  /** ANSI colours (e.g. when stdout is a TTY). Default false. */
  color?: boolean;
  /** Tool outputs longer than this many lines are cut (default 40; 0 for no limit). */
  maxToolOutputLines?: number;
  /** Printed in the header: how the link was verified. */
  link?: { signed: boolean; keyId?: string; trusted?: boolean };
}

/** Makes untrusted text safe to print: control characters (and bidi controls) become visible escapes. */
export function sanitizeForTerminal(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return `^${String.fromCharCode(code + 64)}`;
    if (code === 0x7f) return "^?";
    return `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

export function renderTranscriptText(transcript: Transcript, options: RenderTextOptions = {}): string {
  const c = options.color ?? false;
  const paint = (code: string, s: string) => (c ? `\u001b[${code}m${s}\u001b[0m` : s);
  const bold = (s: string) => paint("1", s);
  const dim = (s: string) => paint("2", s);
  const safe = sanitizeForTerminal;
  const maxLines = options.maxToolOutputLines ?? 40;
  const out: string[] = [];

  out.push(bold(safe(transcript.title || "(untitled session)")));
  out.push(dim(`model ${safe(transcript.model)} · session ${safe(transcript.sessionId)} · created ${safe(transcript.createdAt)} · ${transcript.messages.length} messages`));
  if (options.link) {
    const l = options.link;
    if (!l.signed) out.push(paint("33", "unsigned link: integrity checked, author unknown"));
    else {
      const trust = l.trusted === undefined ? "compare this key id with the sharer's" : l.trusted ? "a trusted key" : "NOT among your trusted keys";
      out.push(paint(l.trusted === false ? "33" : "32", `signed by key ${l.keyId ?? "?"} (signature verified; ${trust})`));
    }
  }
  const redacted = countMarkers(transcript);
  if (redacted > 0) out.push(dim(`${redacted} value${redacted === 1 ? "" : "s"} redacted by the sharer`));
  out.push("");

  const results = new Map<string, Extract<SharedMessage, { role: "tool" }>>();
  for (const m of transcript.messages) if (m.role === "tool") results.set(m.toolCallId, m);
  const shown = new Set<string>();

  const toolOutput = (m: Extract<SharedMessage, { role: "tool" }>) => {
    const lines = safe(m.content).split("\n");
    const cut = maxLines > 0 && lines.length > maxLines;
    const diff = /^@@ /m.test(m.content);
    const body = (cut ? lines.slice(0, maxLines) : lines).map((line) => `    ${dim("│")} ${diff ? colorDiffLine(line, paint) : line}`);
    if (cut) body.push(`    ${dim(`│ … ${lines.length - maxLines} more lines`)}`);
    const status = m.isError ? paint("31", "failed") : paint("32", "ok");
    out.push(`  ${dim("⎿")} ${safe(m.toolName)} ${status}`);
    out.push(...body);
  };

  for (const m of transcript.messages) {
    const at = m.at ? dim(` · ${safe(m.at)}`) : "";
    if (m.role === "user") {
      out.push(`${paint("36;1", "▌ user")}${at}`);
      out.push(indent(safe(m.content)), "");
    } else if (m.role === "assistant") {
      out.push(`${paint("35;1", "▌ assistant")}${at}`);
      if (m.content) out.push(indent(safe(m.content)));
      for (const call of m.toolCalls ?? []) {
        out.push(`  ${paint("33", "▸")} ${bold(safe(call.name))} ${dim(safe(oneLine(JSON.stringify(call.input), 200)))}`);
        const result = results.get(call.id);
        if (result) {
          toolOutput(result);
          shown.add(call.id);
        }
      }
      out.push("");
    } else if (!shown.has(m.toolCallId)) {
      out.push(`${paint("33;1", "▌ tool")}${at}`);
      toolOutput(m);
      out.push("");
    }
  }

  if (transcript.edits && transcript.edits.length > 0) {
    out.push(bold(`Edits (${transcript.edits.length})`));
    for (const edit of transcript.edits) {
      out.push(paint("1;34", safe(edit.path)));
      for (const line of safe(edit.diff).replace(/\n$/, "").split("\n")) out.push(colorDiffLine(line, paint));
      out.push("");
    }
  }
  return `${out.join("\n").replace(/\n+$/, "")}\n`;
}

function colorDiffLine(line: string, paint: (code: string, s: string) => string): string {
  if (line.startsWith("+++") || line.startsWith("---")) return paint("1", line);
  if (line.startsWith("+")) return paint("32", line);
  if (line.startsWith("-")) return paint("31", line);
  if (line.startsWith("@@")) return paint("36", line);
  return line;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n");
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function countMarkers(t: Transcript): number {
  const re = /\[REDACTED:[a-z0-9-]+\]/g;
  let n = 0;
  const scan = (s: string) => {
    n += s.match(re)?.length ?? 0;
  };
  scan(t.title);
  for (const m of t.messages) {
    scan(m.content);
    if (m.role === "assistant") for (const call of m.toolCalls ?? []) scan(JSON.stringify(call.input));
  }
  for (const e of t.edits ?? []) scan(e.diff);
  return n;
}

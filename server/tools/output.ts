// Output caps shared by every tool: a result never exceeds MAX_OUTPUT_LINES lines or
// MAX_OUTPUT_BYTES bytes, and when something is cut a note says what.

/** A page of file content (read) is at most this much... */
export const PAGE_MAX_LINES = 2_000;
export const PAGE_MAX_BYTES = 50 * 1024;
/** ...and any tool result at most this much: a page plus room for headers and notes. */
export const MAX_OUTPUT_LINES = PAGE_MAX_LINES + 50;
export const MAX_OUTPUT_BYTES = PAGE_MAX_BYTES + 2 * 1024;
/** Longest single line a tool shows (read, grep). */
export const MAX_LINE_CHARS = 2_000;

export interface CapResult {
  text: string;
  truncated: boolean;
}

/** Keeps the head of `text` within the caps and appends a note naming what was cut. */
export function capOutput(text: string, maxLines = MAX_OUTPUT_LINES, maxBytes = MAX_OUTPUT_BYTES): CapResult {
  const totalBytes = Buffer.byteLength(text, "utf8");
  if (totalBytes <= maxBytes) {
    // Fast path: count lines only when the bytes fit.
    let lines = 1;
    for (let i = text.indexOf("\n"); i !== -1 && lines <= maxLines; i = text.indexOf("\n", i + 1)) lines++;
    if (lines <= maxLines) return { text, truncated: false };
  }
  const lines = text.split("\n");
  const kept: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, "utf8") + 1;
    if (kept.length >= maxLines || bytes + size > maxBytes) break;
    kept.push(line);
    bytes += size;
  }
  const cutLines = lines.length - kept.length;
  const cutBytes = totalBytes - bytes;
  const note = `\n[output truncated: ${cutLines} more line${cutLines === 1 ? "" : "s"} (${cutBytes} bytes) not shown; limits are ${maxLines} lines / ${Math.round(maxBytes / 1024)} KiB — narrow the request to see the rest]`;
  return { text: kept.join("\n") + note, truncated: true };
}

export function truncateLine(line: string, max = MAX_LINE_CHARS): string {
  return line.length > max ? `${line.slice(0, max)}… [line truncated, ${line.length} chars]` : line;
}

/** Keeps the first and last `maxLines / 2` lines (for command output, where the end matters). */
export function capLinesHeadTail(text: string, maxLines: number): CapResult {
  const lines = text.split("\n");
  if (lines.length <= maxLines) return { text, truncated: false };
  const half = Math.floor(maxLines / 2);
  const cut = lines.length - 2 * half;
  return {
    text: [...lines.slice(0, half), `[… ${cut} lines omitted …]`, ...lines.slice(lines.length - half)].join("\n"),
    truncated: true,
  };
}

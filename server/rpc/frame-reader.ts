// A JSON-RPC message reader (base protocol framing) that survives bad input. It reads the editor's
// stdin (server/lsp/transport) and each proxied server's stdout (server/proxy/wire.ts).
//
// vscode-jsonrpc's stream reader trusts Content-Length: a frame that declares more bytes than it
// has swallows the next message, and garbage where a header should be wedges the stream. This
// reader resynchronises instead. It relies on one fact: the bytes `Content-Length: <digits>\r\n`
// cannot occur inside a valid JSON body (raw CR/LF are illegal in JSON strings, and bare words
// are illegal outside them), so wherever they occur a new frame starts.
import type { Readable } from "node:stream";
import { AbstractMessageReader, type DataCallback, type Disposable, type Message } from "vscode-jsonrpc";

/** Larger frames are refused (their bytes are skipped up to the next header). */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;
/** Header blocks longer than this without a terminator are garbage. */
const MAX_HEADER_BYTES = 16 * 1024;

const MARKER = Buffer.from("Content-Length:", "latin1");
const HEADER_END = Buffer.from("\r\n\r\n", "latin1");

/** `invalid-message`: meant as a request or notification (answered with InvalidRequest); `invalid-response`: a broken answer (only logged). */
export type BadFrameKind = "parse-error" | "invalid-message" | "invalid-response" | "garbage" | "too-large";

export interface BadFrame {
  kind: BadFrameKind;
  /** What went wrong, for the log. */
  reason: string;
  /** How many bytes were dropped or could not be read. */
  bytes: number;
  /** An invalid request's id, when it had a usable one (its error answer carries it). */
  id?: number | string;
}

export interface FrameReaderOptions {
  /** A frame that could not be read (logged; answered with an error when it was meant as a message). */
  onBadFrame(bad: BadFrame): void;
  /** Sees each message before it is delivered (for trace logging). */
  onMessage?: (message: Message, bytes: number) => void;
  /**
   * Sees each frame's body, bytes `buf[start, end)`, before it is parsed; returning true takes the
   * frame (it is not parsed nor delivered). The bytes are only valid during the call.
   */
  onFrame?: (buf: Buffer, start: number, end: number) => boolean;
}

export class ResyncingMessageReader extends AbstractMessageReader {
  private buf = Buffer.alloc(64 * 1024);
  private start = 0;
  private end = 0;
  /** Declared length and start offset of the body being read, or -1 while reading headers. */
  private bodyLength = -1;
  private bodyStart = 0;
  /** Where the search for a frame marker inside the current body continues. */
  private scanFrom = 0;
  private callback: DataCallback | undefined;

  private readonly readable: Readable;
  private readonly options: FrameReaderOptions;

  constructor(readable: Readable, options: FrameReaderOptions) {
    super();
    this.readable = readable;
    this.options = options;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer) => this.push(chunk);
    const onError = (error: Error) => this.fireError(error);
    const onClose = () => this.fireClose();
    this.readable.on("data", onData);
    this.readable.on("error", onError);
    this.readable.on("close", onClose);
    this.readable.on("end", onClose);
    return {
      dispose: () => {
        this.readable.off("data", onData);
        this.readable.off("error", onError);
        this.readable.off("close", onClose);
        this.readable.off("end", onClose);
      },
    };
  }

  /** Feeds bytes; exposed for tests. */
  push(chunk: Buffer): void {
    this.append(chunk);
    while (this.bodyLength === -1 ? this.readHeader() : this.readBody());
    this.compact();
  }

  private append(chunk: Buffer): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const size = Math.max(this.buf.length, (live + chunk.length) * 2);
      const next = size === this.buf.length ? this.buf : Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, this.start, this.end);
      this.shift(this.start);
      this.buf = next;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** Moves live bytes to the front when the buffer is mostly consumed. */
  private compact(): void {
    if (this.start > 0 && this.start === this.end) {
      this.shift(this.start);
    } else if (this.start > this.buf.length / 2) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.shift(this.start);
    }
  }

  private shift(by: number): void {
    this.start -= by;
    this.end -= by;
    this.bodyStart -= by;
    this.scanFrom -= by;
  }

  /** Reads one header block. Returns true when it made progress. */
  private readHeader(): boolean {
    if (this.start === this.end) return false;
    const terminator = this.find(HEADER_END, this.start);
    const limit = terminator === -1 ? this.end : terminator;
    if (terminator === -1 && limit - this.start < MAX_HEADER_BYTES) {
      // Wait for the rest of the header, unless what we have cannot be the start of one.
      if (looksLikePartialHeader(this.buf.toString("latin1", this.start, this.end))) return false;
      return this.skipGarbage("bytes where a header was expected");
    }
    if (terminator === -1) return this.skipGarbage("an over-long header");

    const block = this.buf.toString("latin1", this.start, terminator);
    let length = plainLength(block);
    if (length === undefined) for (const line of block.split("\r\n")) {
      const match = /^([A-Za-z-]+):[ \t]*(.*)$/.exec(line);
      if (!match) return this.skipGarbage(`a malformed header line ${JSON.stringify(line.slice(0, 80))}`);
      if (match[1]!.toLowerCase() === "content-length") {
        if (!/^\d+$/.test(match[2]!.trim())) return this.skipGarbage(`Content-Length ${JSON.stringify(match[2])} is not a number`);
        length = Number(match[2]!.trim());
      }
    }
    if (length === undefined) return this.skipGarbage("a header without Content-Length");
    if (length > MAX_FRAME_BYTES) {
      this.report({ kind: "too-large", reason: `a frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`, bytes: length });
      this.start = terminator + HEADER_END.length;
      return this.skipGarbage("the body of an over-large frame", true);
    }
    this.bodyLength = length;
    this.bodyStart = this.scanFrom = terminator + HEADER_END.length;
    this.start = this.bodyStart;
    return true;
  }

  /** Reads the current body, or finds that a new frame starts inside it. */
  private readBody(): boolean {
    const declaredEnd = this.bodyStart + this.bodyLength;
    const marker = this.findFrameStart(this.scanFrom, Math.min(this.end, declaredEnd));
    if (marker !== -1) {
      // The declared length overruns into the next frame: the body ends where that frame starts.
      this.finishBody(marker, `Content-Length ${this.bodyLength} overruns the next frame`);
      return true;
    }
    if (this.end < declaredEnd) return false;
    this.finishBody(declaredEnd, undefined);
    return true;
  }

  private finishBody(bodyEnd: number, overrun: string | undefined): void {
    const bodyStart = this.bodyStart;
    const bytes = bodyEnd - bodyStart;
    this.start = bodyEnd;
    this.bodyLength = -1;
    if (!overrun && this.options.onFrame && this.take(bodyStart, bodyEnd)) return;
    const text = this.buf.toString("utf8", bodyStart, bodyEnd);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      const why = overrun ?? (error as Error).message;
      this.report({ kind: "parse-error", reason: `invalid JSON (${why})`, bytes });
      return;
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      this.report({ kind: "invalid-message", reason: `expected a JSON-RPC message object, got ${Array.isArray(message) ? "an array" : typeof message}`, bytes });
      return;
    }
    const problem = envelopeProblem(message as Record<string, unknown>);
    if (problem) {
      const { id } = message as { id?: unknown };
      const request = "method" in message || !("result" in message || "error" in message);
      this.report({ kind: request ? "invalid-message" : "invalid-response", reason: problem, bytes, ...("method" in message && isId(id) ? { id } : {}) });
      return;
    }
    try {
      this.options.onMessage?.(message as Message, bytes);
      this.callback?.(message as Message);
    } catch (error) {
      // The next frames are read all the same; the error goes to the reader's listeners.
      this.fireError(error);
    }
  }

  private take(start: number, end: number): boolean {
    try {
      return this.options.onFrame!(this.buf, start, end);
    } catch (error) {
      this.fireError(error);
      return false;
    }
  }

  /**
   * Position of a `Content-Length: <digits>\r\n` that starts in [from, to), or -1. Remembers how
   * far it looked, so a large body arriving in many chunks is scanned once.
   */
  private findFrameStart(from: number, to: number): number {
    let at = this.find(MARKER, from);
    while (at !== -1 && at < to) {
      const rest = this.buf.toString("latin1", at + MARKER.length, Math.min(this.end, at + MARKER.length + 24));
      if (/^[ \t]*\d+\r\n/.test(rest)) return at;
      if (/^[ \t]*\d*\r?$/.test(rest) && at + MARKER.length + 24 > this.end) {
        // Not enough bytes yet to tell: look here again when more arrive.
        this.scanFrom = at;
        return -1;
      }
      at = this.find(MARKER, at + 1);
    }
    this.scanFrom = Math.max(from, to - MARKER.length);
    return -1;
  }

  /** Drops bytes up to the next frame marker (or all but a possible partial marker). */
  private skipGarbage(what: string, quiet = false): boolean {
    const next = this.find(MARKER, this.start + 1);
    const until = next === -1 ? Math.max(this.start, this.end - MARKER.length) : next;
    const dropped = until - this.start;
    if (dropped === 0) return false;
    if (!quiet) this.report({ kind: "garbage", reason: `dropped ${dropped} bytes: ${what}`, bytes: dropped });
    this.start = until;
    return next !== -1;
  }

  /**
   * Where `needle` starts in the live bytes from `from`, or -1. Never past `end`: beyond it the
   * buffer holds stale bytes of earlier frames (and searching them would cost as much as the buffer).
   */
  private find(needle: Buffer, from: number): number {
    return this.buf.subarray(0, this.end).indexOf(needle, from);
  }

  private report(bad: BadFrame): void {
    try {
      this.options.onBadFrame(bad);
    } catch {
      // A failing reporter must not break reading.
    }
  }
}

const isId = (id: unknown): id is number | string => typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
const isStructured = (v: unknown) => typeof v === "object" && v !== null;

/**
 * What makes an object no JSON-RPC message: a request or notification has a string method, an id
 * (if any) that is a string or a number, params (if any) that are an object, an array or null; a response
 * has an id and a result or an error `{ code: number, message: string }` (one with a null id answers
 * nothing we could have asked).
 */
function envelopeProblem(m: Record<string, unknown>): string | undefined {
  if ("method" in m) {
    if (typeof m.method !== "string") return "method is not a string";
    if ("id" in m && m.id !== undefined && !isId(m.id)) return "id is not a string or a number";
    // null params are taken as none: clients send them (Emacs' jsonrpc for a request without params).
    if ("params" in m && m.params !== undefined && m.params !== null && !isStructured(m.params)) return "params are not an object or an array";
    return undefined;
  }
  if (!("id" in m) || m.id === null || !isId(m.id)) return "neither a request, a notification nor a response with an id";
  if ("error" in m) {
    const error = m.error as { code?: unknown; message?: unknown } | null;
    if (!isStructured(error) || typeof error!.code !== "number" || typeof error!.message !== "string") return "a response whose error is not { code, message }";
    return undefined;
  }
  return "result" in m ? undefined : "a response without a result or an error";
}

/** The length of the usual header block, `Content-Length: <digits>` alone, without a regex; else undefined. */
function plainLength(block: string): number | undefined {
  if (!block.startsWith("Content-Length: ") || block.length > 32) return undefined;
  for (let i = 16; i < block.length; i++) {
    const c = block.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return block.length > 16 ? Number(block.slice(16)) : undefined;
}

/** True when `text` can be the beginning of a header block: complete lines are `Name: value`. */
function looksLikePartialHeader(text: string): boolean {
  const lines = text.split("\r\n");
  const last = lines.pop()!.replace(/\r$/, ""); // a chunk may end between the CR and the LF
  return lines.every((line) => /^[A-Za-z-]+:[^\r\n]*$/.test(line)) && /^[A-Za-z-]*(:[^\n]*)?$/.test(last);
}

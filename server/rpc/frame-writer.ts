// A JSON-RPC message writer (base protocol framing) that writes each frame, header and body, with
// one synchronous `write` call, and also takes frames already encoded (a proxied server's answer,
// passed on as bytes). Because every write happens in the caller's turn, frames keep the order in
// which they were written, whichever of the two ways they came.
//
// vscode-jsonrpc's StreamMessageWriter encodes asynchronously and writes the header and the body
// apart (awaiting the first): raw frames written beside it could land between the two.
import type { Writable } from "node:stream";
import { AbstractMessageWriter, type Message, type MessageWriter } from "vscode-jsonrpc";

const HEADER = "Content-Length: ";
const CRLF2 = "\r\n\r\n";

export class FrameWriter extends AbstractMessageWriter implements MessageWriter {
  private readonly writable: Writable;
  private errors = 0;
  private closed = false;

  constructor(writable: Writable) {
    super();
    this.writable = writable;
    writable.on("error", (error: Error) => this.failed(error));
    writable.on("close", () => {
      this.closed = true;
      this.fireClose();
    });
  }

  /** Encodes and writes one message. */
  write(message: Message): Promise<void> {
    return this.writeParts([Buffer.from(JSON.stringify(message), "utf8")], message);
  }

  /** Writes one frame whose body, already encoded (JSON, UTF-8), is these parts in order. */
  writeParts(parts: Uint8Array[], message?: Message): Promise<void> {
    let length = 0;
    for (const part of parts) length += part.length;
    const head = `${HEADER}${length}${CRLF2}`;
    const frame = Buffer.allocUnsafe(head.length + length);
    let at = frame.write(head, 0, "latin1");
    for (const part of parts) {
      frame.set(part, at);
      at += part.length;
    }
    return this.writeFrame(frame, message);
  }

  /** Writes another peer's answer, already encoded as these parts, its id (`id`) being ours to give. */
  passOn(parts: Uint8Array[], id: number | string): Promise<void> {
    return this.writeParts(parts, { jsonrpc: "2.0", id } as Message);
  }

  private writeFrame(frame: Buffer, message?: Message): Promise<void> {
    if (this.closed || this.writable.destroyed) return Promise.reject(new Error("the stream is closed"));
    return new Promise((resolve, reject) => {
      this.writable.write(frame, (error) => {
        if (!error) return resolve();
        this.failed(error, message);
        reject(error);
      });
    });
  }

  private failed(error: Error, message?: Message): void {
    this.errors++;
    this.fireError(error, message, this.errors);
  }

  end(): void {
    this.writable.end();
  }
}

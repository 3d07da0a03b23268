// Transports: stdio, a TCP port on 127.0.0.1, or a named pipe (a Unix socket path). For the
// socket and the pipe the server listens and serves the first client that connects, then stops
// listening: one server process per editor connection, as with stdio.
import { createServer, type Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { ErrorCodes, type Message, type MessageReader } from "vscode-jsonrpc/node";
import type { Logger } from "../../log.ts";
import { ResyncingMessageReader, type BadFrame } from "../../rpc/frame-reader.ts";
import { FrameWriter } from "../../rpc/frame-writer.ts";

export type Transport = { kind: "stdio" } | { kind: "socket"; port: number } | { kind: "pipe"; name: string };

export interface Channel {
  reader: MessageReader;
  /** Also takes frames already encoded (a proxied server's answer passed on as bytes). */
  writer: FrameWriter;
}

export function channelFor(input: Readable, output: Writable, log: Logger): Channel {
  const tracing = log.isLevelEnabled("trace");
  const writer = tracing ? new TracedFrameWriter(output, log) : new FrameWriter(output);
  const onMessage = tracing ? (message: Message, bytes: number) => log.trace({ in: summary(message), bytes }, "<-") : undefined;
  const reader = new ResyncingMessageReader(input, { onBadFrame: (bad) => answerBadFrame(bad, writer, log), ...(onMessage ? { onMessage } : {}) });
  reader.onError((error) => log.error({ err: error }, "a message could not be handled"));
  return { reader, writer };
}

/** Method and id of a message, for trace lines (bodies can be megabytes and hold secrets). */
function summary(message: Message): { method?: string; id?: unknown; error?: unknown } {
  const m = message as { method?: string; id?: unknown; error?: { code: number } };
  return { method: m.method, id: m.id, error: m.error?.code };
}

class TracedFrameWriter extends FrameWriter {
  private readonly log: Logger;

  constructor(output: Writable, log: Logger) {
    super(output);
    this.log = log;
  }

  override write(message: Message): Promise<void> {
    this.log.trace({ out: summary(message) }, "->");
    return super.write(message);
  }

  override passOn(parts: Uint8Array[], id: number | string): Promise<void> {
    this.log.trace({ out: { id }, bytes: parts.reduce((n, part) => n + part.length, 0), passedThrough: true }, "->");
    return super.passOn(parts, id);
  }
}

/** A frame that cannot be read is logged; when it was meant as a message, the client gets an error. */
function answerBadFrame(bad: BadFrame, writer: FrameWriter, log: Logger): void {
  log.warn({ kind: bad.kind, bytes: bad.bytes }, `bad frame: ${bad.reason}`);
  const code = bad.kind === "parse-error" ? ErrorCodes.ParseError : bad.kind === "invalid-message" ? ErrorCodes.InvalidRequest : undefined;
  if (code === undefined) return;
  const message = code === ErrorCodes.ParseError ? `Parse error: ${bad.reason}` : `Invalid request: ${bad.reason}`;
  writer.write({ jsonrpc: "2.0", id: bad.id ?? null, error: { code, message } } as never).catch((error: unknown) => {
    log.debug({ err: error }, "could not answer a bad frame");
  });
}

export async function openChannel(transport: Transport, log: Logger): Promise<Channel> {
  if (transport.kind === "stdio") return channelFor(process.stdin, process.stdout, log);
  const socket = await acceptOne(transport, log);
  return channelFor(socket, socket, log);
}

function acceptOne(transport: Exclude<Transport, { kind: "stdio" }>, log: Logger): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      server.close();
      log.info({ remote: socket.remoteAddress ?? transport.kind }, "client connected");
      resolve(socket);
    });
    server.once("error", reject);
    const onListening = () => {
      const where = transport.kind === "socket" ? `127.0.0.1:${(server.address() as { port: number }).port}` : transport.name;
      log.info(`listening on ${where}`);
      // Tools that start the server and connect to it wait for this line on stderr.
      process.stderr.write(`opencode-lsp listening on ${where}\n`);
    };
    if (transport.kind === "socket") server.listen(transport.port, "127.0.0.1", onListening);
    else server.listen(transport.name, onListening);
  });
}

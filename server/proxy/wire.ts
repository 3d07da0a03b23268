// The wire to one proxied server: its stdout read by the resynchronising frame reader (a server
// that prints a banner or garbage to stdout loses those bytes, not its connection), its stdin
// written a whole frame at a time. vscode-jsonrpc's connection runs over both; frames that answer
// requests passed through as bytes are taken off the reader before they are parsed.
import type { ChildProcess } from "node:child_process";
import { createMessageConnection, type MessageConnection } from "vscode-jsonrpc/node";
import type { Logger } from "../log.ts";
import { ResyncingMessageReader, type BadFrame } from "../rpc/frame-reader.ts";
import { FrameWriter } from "../rpc/frame-writer.ts";

/** Bad frames logged one by one before the rest are only counted. */
const LOGGED_BAD_FRAMES = 5;

export interface Wire {
  connection: MessageConnection;
  writer: FrameWriter;
  /** Bytes on the server's stdout that were not LSP frames. */
  readonly garbageBytes: number;
}

export interface WireOptions {
  name: string;
  log: Logger;
  /** Sees each frame's body before it is parsed; true takes it (see ResyncingMessageReader). */
  onFrame(buf: Buffer, start: number, end: number): boolean;
}

export function connectChild(child: ChildProcess, options: WireOptions): Wire {
  const { name, log } = options;
  let badFrames = 0;
  let garbageBytes = 0;
  const onBadFrame = (bad: BadFrame) => {
    garbageBytes += bad.bytes;
    if (++badFrames <= LOGGED_BAD_FRAMES) log.warn({ proxy: name, kind: bad.kind, bytes: bad.bytes }, `proxied server wrote a bad frame: ${bad.reason}`);
  };
  const reader = new ResyncingMessageReader(child.stdout!, { onBadFrame, onFrame: options.onFrame });
  const writer = new FrameWriter(child.stdin!);
  const connection = createMessageConnection(reader, writer);
  return {
    connection,
    writer,
    get garbageBytes() {
      return garbageBytes;
    },
  };
}

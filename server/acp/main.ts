// `opencode-lsp acp`: the agent spoken as the Agent Client Protocol over stdio, newline-delimited
// JSON-RPC framed by the SDK's ndJsonStream (stdout carries protocol lines only; logs go to stderr
// or the log file). Built as its own bundle (dist/acp.js), so the language server never loads the
// SDK. The client closing stdin ends the process, after the sessions' workers and proxies are gone.
import { Readable, Writable } from "node:stream";
import { ndJsonStream } from "@agentclientprotocol/sdk";
import type { Logger } from "../log.ts";
import { AcpFront } from "./front.ts";

export async function serveAcp(options: { log: Logger; version: string }): Promise<number> {
  const front = new AcpFront(options);
  const stream = ndJsonStream(Writable.toWeb(process.stdout) as WritableStream<Uint8Array>, Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>);
  const connection = front.connect(stream);
  await connection.closed;
  options.log.info("ACP client closed the connection");
  await front.dispose();
  return 0;
}

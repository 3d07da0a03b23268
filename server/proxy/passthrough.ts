// Requests passed through as bytes: when one proxied server owns the whole answer, the editor's
// request goes to it under an id of ours ("opencode-lsp:N", a string: the connection's own requests
// to the server use numbers), and the server's answer goes back to the editor as the bytes it wrote,
// only the id put back — the result is never parsed nor re-serialized. `$/cancelRequest` follows
// the request; a server that goes down meanwhile leaves its requests answered null.
import type { Logger } from "../log.ts";
import { scanResponse } from "../rpc/envelope.ts";
import type { ProxiedServer } from "./child.ts";

const ID_PREFIX = "opencode-lsp:";
const NULL_RESULT = Buffer.from(',"result":null}');
const OPENING = Buffer.from('{"jsonrpc":"2.0","id":');

export interface EditorRequest {
  id: number | string;
  method: string;
  params?: unknown;
}

/** The editor's side: where frames go, and who hears that a request was answered. */
export type FrameSink = (parts: Uint8Array[], id: number | string) => void;

interface Passed {
  server: ProxiedServer;
  serverId: string;
  editorId: number | string;
  answered: (ok: boolean) => void;
}

export class Passthrough {
  private readonly sink: FrameSink;
  private readonly log: Logger;
  private seq = 0;
  private readonly byServerId = new Map<string, Passed>();
  private readonly byEditorId = new Map<number | string, Passed>();

  constructor(sink: FrameSink, log: Logger) {
    this.sink = sink;
    this.log = log;
  }

  get pending(): number {
    return this.byServerId.size;
  }

  /** Sends the editor's request to `server`; false when it cannot go this way (the caller routes it). */
  send(server: ProxiedServer, request: EditorRequest, answered: (ok: boolean) => void): boolean {
    // An id the editor reuses while its first request is out is not ours to sort out.
    if (this.byEditorId.has(request.id)) return false;
    const serverId = `${ID_PREFIX}${++this.seq}`;
    const message = request.params === undefined ? { jsonrpc: "2.0", id: serverId, method: request.method } : { jsonrpc: "2.0", id: serverId, method: request.method, params: request.params };
    if (!server.send(message)) return false;
    const passed: Passed = { server, serverId, editorId: request.id, answered };
    this.byServerId.set(serverId, passed);
    this.byEditorId.set(request.id, passed);
    return true;
  }

  /** A frame from `server`: taken (passed on to the editor) when it answers a passed request. */
  take(server: ProxiedServer, buf: Buffer, start: number, end: number): boolean {
    if (this.byServerId.size === 0) return false;
    const envelope = scanResponse(buf, start, end);
    if (typeof envelope?.id !== "string") return false;
    const passed = this.byServerId.get(envelope.id);
    if (!passed || passed.server !== server) return false;
    this.forget(passed);
    this.sink([buf.subarray(start, envelope.idStart), Buffer.from(JSON.stringify(passed.editorId)), buf.subarray(envelope.idEnd, end)], passed.editorId);
    this.done(passed, !envelope.error);
    return true;
  }

  /** Forwards the editor's `$/cancelRequest` to the server a passed request went to; false if none did. */
  cancel(editorId: unknown): boolean {
    const passed = this.byEditorId.get(editorId as number | string);
    if (!passed) return false;
    passed.server.send({ jsonrpc: "2.0", method: "$/cancelRequest", params: { id: passed.serverId } });
    return true;
  }

  /** The server went down (crashed, stopped): what it had not answered is answered null. */
  serverDown(server: ProxiedServer): void {
    for (const passed of [...this.byServerId.values()]) {
      if (passed.server !== server) continue;
      this.forget(passed);
      this.sink([OPENING, Buffer.from(JSON.stringify(passed.editorId)), NULL_RESULT], passed.editorId);
      this.done(passed, true);
    }
  }

  private forget(passed: Passed): void {
    this.byServerId.delete(passed.serverId);
    this.byEditorId.delete(passed.editorId);
  }

  private done(passed: Passed, ok: boolean): void {
    try {
      passed.answered(ok);
    } catch (error) {
      this.log.warn({ err: error }, "passed-through answer listener failed");
    }
  }
}

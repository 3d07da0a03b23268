// What happens to each of the editor's messages before the library's handlers see it: a
// vscode-jsonrpc message strategy, which sees the messages in order as they are dispatched.
// - `initialize` is checked here, because the library acts on it before our handler runs (it arms
//   its parent-process watchdog with `processId`, reads `capabilities`): invalid params get
//   InvalidParams, a second initialize InvalidRequest, and the library never sees either.
// - Requests that one proxied server answers alone skip our request handling: handed to the proxy
//   manager and answered with the server's own bytes (server/proxy/passthrough.ts). Being taken in
//   order, they reach the server after the document changes sent before them.
import * as z from "zod/mini";
import { ErrorCodes, Message, type MessageStrategy, type RequestMessage } from "vscode-languageserver/node";
import type { ProxyManager } from "../proxy/manager.ts";
import type { FrameWriter } from "../rpc/frame-writer.ts";
import type { Dispatcher } from "./dispatcher.ts";

const initializeParams = z.looseObject({
  processId: z.nullable(z.int()),
  capabilities: z.looseObject({}),
  rootUri: z.optional(z.nullable(z.string())),
  workspaceFolders: z.optional(z.nullable(z.array(z.looseObject({ uri: z.string(), name: z.string() })))),
  trace: z.optional(z.nullable(z.string())),
});

export interface MessageStrategyOptions {
  dispatcher: Dispatcher;
  proxies: () => ProxyManager | undefined;
  writer: FrameWriter;
}

export function messageStrategy({ dispatcher, proxies, writer }: MessageStrategyOptions): MessageStrategy {
  let initializing = false;
  const reply = (request: RequestMessage, code: number, message: string) => {
    void writer.write({ jsonrpc: "2.0", id: request.id, error: { code, message } } as never).catch(() => undefined);
  };

  const forward = (manager: ProxyManager, request: RequestMessage) => {
    const started = performance.now();
    const { id, method } = request;
    return manager.forward({ id: id as number | string, method, params: request.params }, (ok) => dispatcher.completed(method, started, ok));
  };

  return {
    handleMessage(message, next) {
      if (Message.isRequest(message) && message.method === "initialize") {
        if (initializing) return reply(message, ErrorCodes.InvalidRequest, "initialize was already called");
        try {
          dispatcher.validate("initialize", initializeParams, message.params);
        } catch (error) {
          return reply(message, ErrorCodes.InvalidParams, (error as Error).message);
        }
        initializing = true;
      }
      const manager = proxies();
      if (manager && dispatcher.state === "initialized") {
        if (Message.isRequest(message) && dispatcher.proxiedOnly(message.method) && forward(manager, message)) return;
        // The library sees the cancel too (it forgets the id it may have noted while the request was queued).
        if (Message.isNotification(message) && message.method === "$/cancelRequest") manager.cancelForwarded((message.params as { id?: unknown } | undefined)?.id);
      }
      next(message);
    },
  };
}

// Wiring the proxy manager to this editor connection: its editor channel, the documents, notices.
// The proxy code loads only when some server is configured.
import type { Connection, InitializeParams } from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import type { ProxyConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";
import type { ProxyManager } from "../proxy/manager.ts";
import type { FrameWriter } from "../rpc/frame-writer.ts";
import type { EditorDocuments } from "./documents.ts";

export interface StartProxies {
  connection: Connection;
  /** The editor's frame writer: answers passed through as bytes go straight to it. */
  writer: FrameWriter;
  bus: Bus;
  log: Logger;
  documents: EditorDocuments;
  params: InitializeParams;
  root: string | undefined;
  entries: Record<string, ProxyConfig>;
}

/** Starts the configured servers for this workspace; undefined when none is configured. */
export async function startProxies(options: StartProxies): Promise<ProxyManager | undefined> {
  const { connection, writer, bus, log, documents } = options;
  if (Object.keys(options.entries).length === 0) return undefined;
  const { ProxyManager } = await import("../proxy/manager.ts");
  const manager = new ProxyManager({
    entries: options.entries,
    root: options.root,
    initializeParams: options.params,
    editor: {
      request: (method, params) => connection.sendRequest(method, params),
      notify: (method, params) => {
        connection.sendNotification(method, params).catch((error: unknown) => log.debug({ err: error, method }, "notification to editor failed"));
      },
      frame: (parts, id) => {
        writer.passOn(parts, id).catch((error: unknown) => log.debug({ err: error, id }, "answer to editor not written"));
      },
    },
    openDocuments: () => documents.all(),
    notice: (level, message) => bus.publish({ type: "notice", level, message }),
    log,
  });
  documents.addListener(manager);
  await manager.start();
  return manager;
}

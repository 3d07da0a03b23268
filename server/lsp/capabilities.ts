// What the server advertises in `initialize`. Only what works today: later layers add to this
// (code actions, commands, completion, proxied servers' capabilities), never advertise ahead.
import { TextDocumentSyncKind, type ServerCapabilities } from "vscode-languageserver/node";

export function serverCapabilities(): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    experimental: { opencode: { health: true } },
  };
}

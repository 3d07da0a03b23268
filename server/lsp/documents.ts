// The editor's open documents: vscode-languageserver-textdocument applies incremental changes;
// opens and closes are published on the bus.
import { TextDocuments, type Connection } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Bus } from "../bus/bus.ts";

export function trackDocuments(connection: Connection, bus: Bus): TextDocuments<TextDocument> {
  const documents = new TextDocuments(TextDocument);
  documents.onDidOpen(({ document }) =>
    bus.publish({ type: "document.opened", uri: document.uri, languageId: document.languageId, version: document.version }),
  );
  documents.onDidClose(({ document }) => bus.publish({ type: "document.closed", uri: document.uri }));
  documents.listen(connection);
  return documents;
}

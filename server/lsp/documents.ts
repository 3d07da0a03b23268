// The editor's open documents. vscode-languageserver-textdocument applies incremental changes;
// after each sync notification the listeners (the proxies) get the updated document and the raw
// changes, and opens and closes are published on the bus.
import {
  TextDocuments,
  type Connection,
  type DidChangeTextDocumentParams,
  type DidSaveTextDocumentParams,
  type NotificationHandler,
  type TextDocumentContentChangeEvent,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";

type TextDocumentConnection = Parameters<TextDocuments<TextDocument>["listen"]>[0];
import type { Bus } from "../bus/bus.ts";

export interface DocumentSnapshot {
  uri: string;
  languageId: string;
  version: number;
  text: string;
}

export interface DocumentListener {
  didOpen(doc: DocumentSnapshot): void;
  didChange(doc: DocumentSnapshot, changes: TextDocumentContentChangeEvent[]): void;
  didClose(uri: string): void;
  didSave(uri: string, text: string | undefined): void;
}

export class EditorDocuments {
  readonly store = new TextDocuments(TextDocument);
  private readonly listeners = new Set<DocumentListener>();

  constructor(connection: Connection, bus: Bus) {
    // TextDocuments registers its handlers on a "connection"; give it one that we drive, so the
    // same notifications also reach our listeners after the store is updated.
    const handlers: Partial<Record<"open" | "change" | "close" | "save", NotificationHandler<any>>> = {};
    const none = { dispose() {} };
    const shim: TextDocumentConnection = {
      onDidOpenTextDocument: (h) => ((handlers.open = h), none),
      onDidChangeTextDocument: (h) => ((handlers.change = h), none),
      onDidCloseTextDocument: (h) => ((handlers.close = h), none),
      onDidSaveTextDocument: (h) => ((handlers.save = h), none),
      onWillSaveTextDocument: () => none,
      onWillSaveTextDocumentWaitUntil: () => none,
    };
    this.store.listen(shim);

    connection.onDidOpenTextDocument((params) => {
      handlers.open?.(params);
      const doc = this.snapshot(params.textDocument.uri);
      if (!doc) return;
      bus.publish({ type: "document.opened", uri: doc.uri, languageId: doc.languageId, version: doc.version });
      for (const l of this.listeners) l.didOpen(doc);
    });
    connection.onDidChangeTextDocument((params: DidChangeTextDocumentParams) => {
      handlers.change?.(params);
      const doc = this.snapshot(params.textDocument.uri);
      if (doc) for (const l of this.listeners) l.didChange(doc, params.contentChanges);
    });
    connection.onDidCloseTextDocument((params) => {
      handlers.close?.(params);
      bus.publish({ type: "document.closed", uri: params.textDocument.uri });
      for (const l of this.listeners) l.didClose(params.textDocument.uri);
    });
    connection.onDidSaveTextDocument((params: DidSaveTextDocumentParams) => {
      handlers.save?.(params);
      for (const l of this.listeners) l.didSave(params.textDocument.uri, params.text ?? this.store.get(params.textDocument.uri)?.getText());
    });
  }

  addListener(listener: DocumentListener): void {
    this.listeners.add(listener);
  }

  snapshot(uri: string): DocumentSnapshot | undefined {
    const doc = this.store.get(uri);
    return doc && { uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() };
  }

  all(): DocumentSnapshot[] {
    return this.store.keys().map((uri) => this.snapshot(uri)!);
  }

  get count(): number {
    return this.store.keys().length;
  }
}

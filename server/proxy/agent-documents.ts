// Documents the agent works on, kept open in the proxied servers on its behalf. A document the
// editor has open is the editor's; any other the agent opens itself (didOpen, then full-text
// didChange when its text changes), at most MAX_AGENT_DOCUMENTS of them, least recently used
// closed first.
import type { OpenDocument, ProxiedServer } from "./child.ts";
import type { ProxyEvent } from "./types.ts";

/** Documents the agent opened itself (not open in the editor) kept open in the servers, oldest closed first. */
export const MAX_AGENT_DOCUMENTS = 32;

export interface AgentDocumentSync {
  /** Who owns the document in the servers: the editor (it has it open) or the agent. */
  owner: "editor" | "agent";
  uri: string;
  languageId: string;
  version: number;
  /** The text the servers have. */
  text: string;
  /** The running servers that have the document open. */
  servers: ProxiedServer[];
}

export class AgentDocuments {
  /** By uri, least recently used first. */
  private readonly docs = new Map<string, OpenDocument>();
  private readonly servers: ProxiedServer[];
  private readonly emit: (event: ProxyEvent) => void;

  constructor(servers: ProxiedServer[], emit: (event: ProxyEvent) => void) {
    this.servers = servers;
    this.emit = emit;
  }

  values(): IterableIterator<OpenDocument> {
    return this.docs.values();
  }

  has(uri: string): boolean {
    return this.docs.has(uri);
  }

  /** The editor opens a document the agent had opened: the servers see the agent's copy closed. */
  yieldToEditor(uri: string): void {
    if (this.docs.delete(uri)) this.closeEverywhere(uri);
  }

  /**
   * Makes `servers` (running, meant for `languageId`) see `text` for a document the editor does not
   * have open: opened, or sent the new text when it changed; unchanged text sends nothing.
   */
  sync(uri: string, languageId: string, text: string, servers: ProxiedServer[]): AgentDocumentSync {
    let doc = this.docs.get(uri);
    let changed = false;
    let opened = false;
    if (!doc || doc.languageId !== languageId) {
      if (doc) this.closeEverywhere(uri);
      doc = { uri, languageId, version: (doc?.version ?? 0) + 1, text };
      changed = true;
    } else if (doc.text !== text) {
      doc = { ...doc, version: doc.version + 1, text };
      changed = true;
    }
    this.docs.delete(uri); // re-inserted last: most recently used
    this.docs.set(uri, doc);
    for (const server of servers) {
      if (!server.isOpen(uri)) {
        server.didOpen(doc);
        opened = true;
      } else if (changed) {
        server.didChange(doc, [{ text }]);
      }
    }
    if (changed || opened) this.emit({ type: "changed", uri, version: doc.version, opened });
    this.evict();
    return { owner: "agent", uri, languageId, version: doc.version, text, servers };
  }

  clear(): void {
    this.docs.clear();
  }

  private evict(): void {
    while (this.docs.size > MAX_AGENT_DOCUMENTS) {
      const oldest = this.docs.keys().next().value!;
      this.docs.delete(oldest);
      this.closeEverywhere(oldest);
    }
  }

  private closeEverywhere(uri: string): void {
    for (const server of this.servers) server.didClose(uri);
  }
}

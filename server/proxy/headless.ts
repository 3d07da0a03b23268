// The proxied servers without an editor (`opencode-lsp run`): the manager gets initialize params of
// our own (a client that takes markdown hovers, hierarchical symbols, versioned diagnostics), an
// "editor" that declines what only an editor could do, and no editor documents. Nothing is started
// here: the LanguageIntel starts a server the first time a file of its filetypes needs one.
import { pathToFileURL } from "node:url";
import { basename } from "node:path";
import type { InitializeParams } from "vscode-languageserver-protocol";
import type { ProxyConfig } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { ProxyManager } from "./manager.ts";

export interface HeadlessProxiesOptions {
  root: string;
  entries: Record<string, ProxyConfig>;
  log: Logger;
  notice(level: "error" | "warning" | "info", message: string): void;
}

export function headlessInitializeParams(root: string): InitializeParams {
  const uri = pathToFileURL(root).href;
  return {
    processId: process.pid,
    clientInfo: { name: "opencode-lsp run" },
    rootUri: uri,
    rootPath: root,
    workspaceFolders: [{ uri, name: basename(root) || root }],
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      workspace: { configuration: true, workspaceFolders: true, symbol: {}, applyEdit: false },
      textDocument: {
        synchronization: { didSave: false, willSave: false, dynamicRegistration: false },
        publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, tagSupport: { valueSet: [1, 2] } },
        hover: { contentFormat: ["markdown", "plaintext"] },
        definition: { linkSupport: false },
        typeDefinition: { linkSupport: false },
        references: {},
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
      },
      window: { workDoneProgress: false },
    },
  };
}

/** A manager for the workspace's configured servers, or undefined when none is configured. */
export function createHeadlessProxies(options: HeadlessProxiesOptions): ProxyManager | undefined {
  if (Object.keys(options.entries).length === 0) return undefined;
  const manager = new ProxyManager({
    entries: options.entries,
    root: options.root,
    initializeParams: headlessInitializeParams(options.root),
    editor: {
      // No editor to relay to: edits are refused, questions go unanswered (null).
      request: async (method) => (method === "workspace/applyEdit" ? { applied: false, failureReason: "no editor (opencode-lsp run)" } : null),
      notify: () => {},
    },
    openDocuments: () => [],
    notice: options.notice,
    log: options.log,
  });
  if (manager.servers.length > 0) return manager;
  void manager.shutdown(); // no entry matched this workspace's root markers
  return undefined;
}

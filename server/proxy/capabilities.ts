// Merging server capabilities: ours plus every proxied server's. The union of providers, trigger
// characters united, commands concatenated, text sync always incremental (we keep the documents and
// send each server what it asked for).
import type { ServerCapabilities } from "vscode-languageserver-protocol";

type Caps = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Keys whose options hold character lists that must be united. */
const CHARACTER_LISTS = ["triggerCharacters", "allCommitCharacters", "retriggerCharacters", "moreTriggerCharacter"];

export function mergeCapabilities(ours: ServerCapabilities, theirs: ServerCapabilities[]): ServerCapabilities {
  let merged: Caps = structuredClone(ours) as Caps;
  for (const caps of theirs) merged = mergeOne(merged, caps as Caps);
  // We own text sync: incremental to the editor, whatever the servers take (we convert for them).
  merged.textDocumentSync = ours.textDocumentSync;
  return merged as ServerCapabilities;
}

function mergeOne(into: Caps, from: Caps): Caps {
  const out: Caps = { ...into };
  for (const [key, value] of Object.entries(from)) {
    if (key === "textDocumentSync") continue;
    const current = out[key];
    if (current === undefined || current === false || current === null) {
      out[key] = structuredClone(value);
    } else if (isObject(current) && isObject(value)) {
      out[key] = mergeOptions(current, value);
    }
    // `true` vs options: keep the options (they imply support and say more).
    else if (current === true && isObject(value)) out[key] = structuredClone(value);
  }
  return out;
}

function mergeOptions(a: Caps, b: Caps): Caps {
  const out: Caps = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const current = out[key];
    if (Array.isArray(current) && Array.isArray(value)) {
      out[key] = CHARACTER_LISTS.includes(key) || key === "commands" || key === "codeActionKinds" ? [...new Set([...current, ...value])] : current;
    } else if (isObject(current) && isObject(value)) {
      out[key] = mergeOptions(current, value);
    } else if (current === undefined || current === false) {
      out[key] = structuredClone(value);
    } else if (typeof current === "boolean" && typeof value === "boolean") {
      out[key] = current || value;
    }
  }
  return out;
}

/** Which capability a request needs from a server; requests not listed go to any server of the filetype. */
export const CAPABILITY_OF: Record<string, string> = {
  "textDocument/hover": "hoverProvider",
  "textDocument/completion": "completionProvider",
  "completionItem/resolve": "completionProvider",
  "textDocument/signatureHelp": "signatureHelpProvider",
  "textDocument/declaration": "declarationProvider",
  "textDocument/definition": "definitionProvider",
  "textDocument/typeDefinition": "typeDefinitionProvider",
  "textDocument/implementation": "implementationProvider",
  "textDocument/references": "referencesProvider",
  "textDocument/documentHighlight": "documentHighlightProvider",
  "textDocument/documentSymbol": "documentSymbolProvider",
  "textDocument/codeAction": "codeActionProvider",
  "codeAction/resolve": "codeActionProvider",
  "textDocument/codeLens": "codeLensProvider",
  "textDocument/documentLink": "documentLinkProvider",
  "textDocument/documentColor": "colorProvider",
  "textDocument/formatting": "documentFormattingProvider",
  "textDocument/rangeFormatting": "documentRangeFormattingProvider",
  "textDocument/onTypeFormatting": "documentOnTypeFormattingProvider",
  "textDocument/rename": "renameProvider",
  "textDocument/prepareRename": "renameProvider",
  "textDocument/foldingRange": "foldingRangeProvider",
  "textDocument/selectionRange": "selectionRangeProvider",
  "textDocument/prepareCallHierarchy": "callHierarchyProvider",
  "textDocument/semanticTokens/full": "semanticTokensProvider",
  "textDocument/semanticTokens/full/delta": "semanticTokensProvider",
  "textDocument/semanticTokens/range": "semanticTokensProvider",
  "textDocument/inlayHint": "inlayHintProvider",
  "textDocument/diagnostic": "diagnosticProvider",
  "textDocument/linkedEditingRange": "linkedEditingRangeProvider",
  "textDocument/moniker": "monikerProvider",
  "textDocument/prepareTypeHierarchy": "typeHierarchyProvider",
  "workspace/symbol": "workspaceSymbolProvider",
  "workspace/executeCommand": "executeCommandProvider",
};

export function hasCapability(caps: ServerCapabilities, method: string): boolean {
  const key = CAPABILITY_OF[method];
  if (!key) return true;
  const value = (caps as Caps)[key];
  return value !== undefined && value !== false && value !== null;
}

// The agent's tools: one file each, a registry that validates, checks permissions and runs them,
// and the file-access interface they all go through.
import { bashTool, type BashToolOptions } from "./bash.ts";
import { editTool } from "./edit.ts";
import { globTool } from "./glob.ts";
import { grepTool, type GrepToolOptions } from "./grep.ts";
import { listTool } from "./list.ts";
import { definitionTool, diagnosticsTool, hoverTool, lspTools, referencesTool, symbolsTool } from "./lsp-tools.ts";
import { multieditTool } from "./multiedit.ts";
import { readTool } from "./read.ts";
import { todoTool } from "./todo.ts";
import type { Tool } from "./types.ts";
import { webfetchTool, type WebfetchToolOptions } from "./webfetch.ts";
import { writeTool } from "./write.ts";

export interface BuiltinToolOptions {
  bash?: BashToolOptions;
  grep?: GrepToolOptions;
  webfetch?: WebfetchToolOptions;
  /** Add the language-server tools (diagnostics, definition, references, hover, symbols): when servers are configured. */
  lsp?: boolean;
}

/** Every built-in tool, in the order the model is shown them. */
export function builtinTools(options: BuiltinToolOptions = {}): Tool[] {
  return [
    readTool,
    writeTool,
    editTool,
    multieditTool,
    grepTool(options.grep),
    globTool,
    listTool,
    bashTool(options.bash),
    todoTool,
    webfetchTool(options.webfetch),
    ...(options.lsp ? lspTools : []),
  ] as Tool[];
}

export { parseCommandLine, type ShellCommandLine } from "./shell-command.ts";
export { ToolRegistry, type RegistryConfig, type RegistryOptions, type ToolDefinition } from "./registry.ts";
export {
  checkPermissions,
  evaluateBashCommand,
  isEnvFile,
  matchPattern,
  DEFAULT_PERMISSIONS,
  DOOM_LOOP_THRESHOLD,
  type PermissionsConfig,
} from "./permissions.ts";
export { DiskWorkspaceFiles, type WorkspaceFiles, type FileStat, type DirEntry, type EntryType } from "./workspace-files.ts";
export { PathError, PathGuard, type ResolvedPath } from "./paths.ts";
export { capOutput, MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES } from "./output.ts";
export * from "./types.ts";
export { htmlToText } from "./webfetch.ts";
export { withDiagnostics, EDIT_DIAGNOSTICS_TIMEOUT_MS, TOOL_DIAGNOSTICS_TIMEOUT_MS } from "./lsp-tools.ts";
export { definitionTool, diagnosticsTool, hoverTool, referencesTool, symbolsTool };
export { bashTool, editTool, globTool, grepTool, listTool, multieditTool, readTool, todoTool, webfetchTool, writeTool };

import type { Logger } from "../log.ts";
import { ToolSession as Session, type AskPermission, type LanguageIntel, type ToolContext } from "./types.ts";
import { DiskWorkspaceFiles as DiskFiles, type WorkspaceFiles as Files } from "./workspace-files.ts";

export interface ToolContextOptions {
  root: string;
  signal?: AbortSignal;
  ask?: AskPermission;
  /** Defaults to files on disk under `root`, confined to it and to `allowPaths`. */
  files?: Files;
  allowPaths?: string[];
  session?: Session;
  logger?: Logger;
  intel?: LanguageIntel;
}

/** A ToolContext with sensible defaults: disk files, a fresh session, a signal that never fires. */
export function createToolContext(options: ToolContextOptions): ToolContext {
  const files = options.files ?? new DiskFiles(options.root, options.allowPaths ? { allowPaths: options.allowPaths } : {});
  return {
    root: files.root,
    files,
    signal: options.signal ?? new AbortController().signal,
    session: options.session ?? new Session(),
    ...(options.ask ? { ask: options.ask } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.intel ? { intel: options.intel } : {}),
  };
}

// Loading the file-based sources into a store. The LSP front adds the two client-side sources
// (initializationOptions, workspace/configuration) itself.
import { readConfigFile, userConfigPath, workspaceConfigPath } from "./files.ts";
import type { ConfigIssue } from "./schema.ts";
import type { ConfigStore, SourceKind } from "./store.ts";

export function loadConfigFiles(store: ConfigStore, root: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfigIssue[] {
  const issues = loadFile(store, "user", userConfigPath(env));
  if (root) issues.push(...loadFile(store, "workspace", workspaceConfigPath(root)));
  return issues;
}

function loadFile(store: ConfigStore, kind: SourceKind, path: string): ConfigIssue[] {
  const read = readConfigFile(path);
  if (!read.found) return store.set(kind, path, undefined).issues;
  if ("issues" in read) return read.issues;
  return store.set(kind, path, read.raw).issues;
}

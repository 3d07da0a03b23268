// Reading the two configuration files: the user's (XDG) and the workspace's opencode.json. Both
// are read as JSONC (comments and trailing commas allowed), and a syntax error is reported with
// its line and column.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import type { ConfigIssue } from "./schema.ts";

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "opencode-lsp", "config.json");
}

/** opencode-lsp's own folder under the XDG state directory (`$XDG_STATE_HOME`, default ~/.local/state). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "opencode-lsp");
}

export function workspaceConfigPath(root: string): string {
  return join(root, "opencode.json");
}

export type FileRead = { found: false } | { found: true; raw: unknown } | { found: true; issues: ConfigIssue[] };

export function readConfigFile(path: string): FileRead {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { found: false };
    return { found: true, issues: [{ source: path, path: "(file)", message: (err as Error).message }] };
  }
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    return {
      found: true,
      issues: errors.map((e) => ({ source: path, path: `(line ${lineCol(text, e.offset)})`, message: printParseErrorCode(e.error) })),
    };
  }
  return { found: true, raw: raw ?? {} };
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

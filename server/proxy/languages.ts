// File extension → LSP languageId, for documents the agent opens in a proxied server itself (the
// editor names its own documents). The ids are the ones LSP clients use (VS Code's), which is what
// the `filetypes` of a proxy entry list.
import { basename, extname } from "node:path";
import type { ProxyConfig } from "../config/index.ts";

const BY_EXTENSION: Record<string, string> = {
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "typescriptreact",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascriptreact",
  ".py": "python",
  ".pyi": "python",
  ".json": "json",
  ".jsonc": "jsonc",
  ".css": "css",
  ".scss": "scss",
  ".less": "less",
  ".html": "html",
  ".htm": "html",
  ".vue": "vue",
  ".svelte": "svelte",
  ".md": "markdown",
  ".rs": "rust",
  ".go": "go",
  ".c": "c",
  ".h": "c",
  ".cc": "cpp",
  ".cpp": "cpp",
  ".cxx": "cpp",
  ".hpp": "cpp",
  ".hh": "cpp",
  ".java": "java",
  ".kt": "kotlin",
  ".kts": "kotlin",
  ".swift": "swift",
  ".cs": "csharp",
  ".rb": "ruby",
  ".php": "php",
  ".lua": "lua",
  ".sh": "shellscript",
  ".bash": "shellscript",
  ".zsh": "shellscript",
  ".yaml": "yaml",
  ".yml": "yaml",
  ".toml": "toml",
  ".zig": "zig",
  ".ex": "elixir",
  ".exs": "elixir",
  ".erl": "erlang",
  ".hs": "haskell",
  ".ml": "ocaml",
  ".mli": "ocaml",
  ".scala": "scala",
  ".dart": "dart",
  ".sql": "sql",
  ".tf": "terraform",
};

const BY_NAME: Record<string, string> = {
  "tsconfig.json": "jsonc",
  "jsconfig.json": "jsonc",
  Dockerfile: "dockerfile",
  Makefile: "makefile",
};

/** The languageId of a file by its name, or undefined for an unknown extension. */
export function languageIdOf(path: string): string | undefined {
  const name = basename(path);
  return BY_NAME[name] ?? BY_EXTENSION[extname(name).toLowerCase()];
}

/**
 * The languageId under which some configured server takes this file, or undefined when none does.
 * jsonc falls back to json (and back) since many setups list only one; an entry may also list the
 * bare extension ("ts") as a filetype, as some editors name their filetypes so.
 */
export function servedLanguageId(path: string, entries: Iterable<Pick<ProxyConfig, "filetypes">>): string | undefined {
  const list = [...entries];
  const served = (id: string) => list.some((e) => e.filetypes.includes(id));
  const id = languageIdOf(path);
  if (id && served(id)) return id;
  const sibling = id === "jsonc" ? "json" : id === "json" ? "jsonc" : undefined;
  if (sibling && served(sibling)) return sibling;
  const ext = extname(path).slice(1).toLowerCase();
  if (ext && served(ext)) return ext;
  return undefined;
}

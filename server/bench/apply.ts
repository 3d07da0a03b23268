// `--apply`: the recommended model written to the workspace's opencode.json as `model`, keeping the
// file's comments and formatting (jsonc-parser edits); a file that does not parse is left alone.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { applyEdits, modify, parse, type ParseError } from "jsonc-parser";
import { workspaceConfigPath } from "../config/files.ts";

export function applyModel(root: string, model: string): { path: string; previous?: string } {
  const path = workspaceConfigPath(root);
  const text = existsSync(path) ? readFileSync(path, "utf8") : "{}\n";
  const errors: ParseError[] = [];
  const current = parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || (current !== undefined && (typeof current !== "object" || current === null || Array.isArray(current)))) {
    throw new Error(`${path} is not a valid JSON object; not changed`);
  }
  const edits = modify(text, ["model"], model, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" } });
  writeFileSync(path, applyEdits(text, edits));
  const previous = (current as { model?: unknown } | undefined)?.model;
  return { path, ...(typeof previous === "string" ? { previous } : {}) };
}

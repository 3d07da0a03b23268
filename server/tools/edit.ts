// edit: replace an exact string in a file — it must match exactly once, or set replaceAll.
import { z } from "zod";
import { applyEdit, unifiedDiff } from "./edit-core.ts";
import { withDiagnostics } from "./lsp-tools.ts";
import { defineTool, fail, ok, type ToolContext, type ToolResult, pathNeed } from "./types.ts";

const schema = z.object({
  path: z.string().min(1).describe("File to edit, relative to the workspace root"),
  oldString: z.string().describe("The exact text to replace (must match the file exactly, including indentation)"),
  newString: z.string().describe("The text to put in its place"),
  replaceAll: z.boolean().optional().describe("Replace every occurrence instead of requiring exactly one"),
});

/** Loads a file for editing, or the failed result explaining why it cannot be edited. */
export async function loadForEdit(ctx: ToolContext, path: string): Promise<{ rel: string; text: string } | ToolResult> {
  const target = await ctx.files.resolve(path);
  const stat = await ctx.files.stat(target.rel);
  if (!stat) return fail(`File not found: ${target.rel}. To create a new file use the write tool.`);
  if (stat.type !== "file") return fail(`${target.rel} is not a regular file (${stat.type}).`);
  // Tracked: the edit is computed on this version, so that is what it merges against.
  const text = await ctx.files.readText(target.rel, { track: true });
  if (text.includes("\0")) return fail(`${target.rel} looks like a binary file (it contains NUL bytes); it cannot be edited as text.`);
  return { rel: target.rel, text };
}

/**
 * A write's result for the model: with the file's diagnostics once it is in the file; under review
 * (`pending` hunks wait for the user), said so — the file does not have it yet.
 */
export function afterWrite(ctx: ToolContext, rel: string, pending: number | undefined, result: ToolResult): Promise<ToolResult> | ToolResult {
  if (pending === undefined) return withDiagnostics(ctx, rel, result);
  const note = `\n\nPending review: the change is not in ${rel} yet. The user will accept or reject it (${pending} pending hunk${pending === 1 ? "" : "s"} in this file); reads of the file show it with your pending changes. You are told of rejections.`;
  return { ...result, output: `${result.output}${note}` };
}

export const editTool = defineTool({
  name: "edit",
  description:
    "Replace an exact string in a file. oldString must match the file's text exactly (whitespace included) and exactly once — add surrounding lines to make it unique — unless replaceAll is true. Read the file first.",
  schema,
  title: (input) => `edit ${input.path}`,
  permissions: (input, ctx) => pathNeed(ctx, input.path, "edit"),
  async run(input, ctx) {
    const loaded = await loadForEdit(ctx, input.path);
    if ("status" in loaded) return loaded;
    const outcome = applyEdit(loaded.text, input);
    if (!outcome.ok) return fail(`Edit of ${loaded.rel} failed: ${outcome.error}`);
    const { pending } = await ctx.files.writeText(loaded.rel, outcome.text, { tool: "edit" });
    const diff = unifiedDiff(loaded.rel, loaded.text, outcome.text);
    return afterWrite(ctx, loaded.rel, pending, ok(`Edited ${loaded.rel}: ${outcome.replacements} replacement${outcome.replacements === 1 ? "" : "s"}.\n\n${diff}`, {
      path: loaded.rel,
      replacements: outcome.replacements,
      diff,
    }));
  },
});

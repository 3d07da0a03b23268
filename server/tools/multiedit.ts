// multiedit: several edits to one file, applied in order, all or nothing.
import { z } from "zod";
import { applyEdit, unifiedDiff } from "./edit-core.ts";
import { afterWrite, loadForEdit } from "./edit.ts";
import { defineTool, fail, ok, pathNeed } from "./types.ts";

const schema = z.object({
  path: z.string().min(1).describe("File to edit, relative to the workspace root"),
  edits: z
    .array(
      z.object({
        oldString: z.string().describe("Exact text to replace (as the file reads after the previous edits)"),
        newString: z.string().describe("Replacement text"),
        replaceAll: z.boolean().optional().describe("Replace every occurrence"),
      }),
    )
    .min(1)
    .describe("Edits applied in order; each sees the result of the previous ones"),
});

export const multieditTool = defineTool({
  name: "multiedit",
  description:
    "Apply several exact-string edits to one file in order. Each edit follows the rules of the edit tool and sees the previous edits' result. If any edit fails, none is applied.",
  schema,
  title: (input) => `multiedit ${input.path} (${input.edits.length} edits)`,
  permissions: (input, ctx) => pathNeed(ctx, input.path, "edit"),
  async run(input, ctx) {
    const loaded = await loadForEdit(ctx, input.path);
    if ("status" in loaded) return loaded;
    let text = loaded.text;
    let replacements = 0;
    for (const [i, edit] of input.edits.entries()) {
      const outcome = applyEdit(text, edit);
      if (!outcome.ok) {
        return fail(`Edit ${i + 1} of ${input.edits.length} on ${loaded.rel} failed, so no edit was applied: ${outcome.error}`, { failedEdit: i });
      }
      text = outcome.text;
      replacements += outcome.replacements;
    }
    const { pending } = await ctx.files.writeText(loaded.rel, text, { tool: "multiedit" });
    const diff = unifiedDiff(loaded.rel, loaded.text, text);
    return afterWrite(ctx, loaded.rel, pending, ok(`Applied ${input.edits.length} edits (${replacements} replacements) to ${loaded.rel}.\n\n${diff}`, {
      path: loaded.rel,
      replacements,
      diff,
    }));
  },
});

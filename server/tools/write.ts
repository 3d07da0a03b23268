// write: create or overwrite a whole file (parent directories are created).
import { z } from "zod";
import { unifiedDiff } from "./edit-core.ts";
import { afterWrite } from "./edit.ts";
import { defineTool, fail, ok, pathNeed } from "./types.ts";

const schema = z.object({
  path: z.string().min(1).describe("File to write, relative to the workspace root"),
  content: z.string().describe("The complete new content of the file"),
});

export const writeTool = defineTool({
  name: "write",
  description:
    "Create a file or replace its whole content. Parent directories are created. Prefer edit for changes to an existing file.",
  schema,
  title: (input) => `write ${input.path}`,
  permissions: (input, ctx) => pathNeed(ctx, input.path, "edit"),
  async run(input, ctx) {
    const target = await ctx.files.resolve(input.path);
    const stat = await ctx.files.stat(target.rel);
    if (stat && stat.type !== "file") return fail(`${target.rel} exists and is not a regular file (${stat.type}); nothing written.`);
    const before = stat ? await ctx.files.readText(target.rel) : "";
    const { created, pending } = await ctx.files.writeText(target.rel, input.content, { tool: "write" });
    const lines = input.content === "" ? 0 : input.content.split("\n").length - (input.content.endsWith("\n") ? 1 : 0);
    return afterWrite(ctx, target.rel, pending, ok(`${pending !== undefined ? "Proposed to " + (created ? "create" : "overwrite") : created ? "Created" : "Overwrote"} ${target.rel} (${lines} line${lines === 1 ? "" : "s"}, ${Buffer.byteLength(input.content)} bytes).`, {
      path: target.rel,
      created,
      diff: unifiedDiff(target.rel, before, input.content),
    }));
  },
});

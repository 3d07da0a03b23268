// glob: find files by name pattern, respecting .gitignore.
import picomatch from "picomatch";
import { z } from "zod";
import { defineTool, fail, ok, pathNeed } from "./types.ts";
import { walk } from "./walk.ts";

export const GLOB_MAX_RESULTS = 1_000;

const schema = z.object({
  pattern: z
    .string()
    .min(1)
    .describe('Glob, e.g. "**/*.ts" or "src/**/*.{ts,tsx}"; a pattern without "/" (e.g. "*.md") matches file names at any depth'),
  path: z.string().optional().describe("Directory to search in, relative to the workspace root (default: the root)"),
});

export const globTool = defineTool({
  name: "glob",
  description:
    "Find files whose path matches a glob pattern, relative to the search directory. Respects .gitignore and skips .git and node_modules. Returns paths relative to the workspace root, sorted.",
  schema,
  title: (input) => `glob ${input.pattern}${input.path ? ` in ${input.path}` : ""}`,
  permissions: (input, ctx) => pathNeed(ctx, input.path ?? ".", "read"),
  async run(input, ctx) {
    const target = await ctx.files.resolve(input.path ?? ".");
    const stat = await ctx.files.stat(target.rel);
    if (!stat) return fail(`Directory not found: ${target.rel}`);
    if (stat.type !== "directory") return fail(`${target.rel} is not a directory.`);
    const byName = !input.pattern.includes("/");
    const isMatch = picomatch(input.pattern, { dot: true });
    const prefix = target.rel === "." ? "" : `${target.rel}/`;
    const found: string[] = [];
    let more = false;
    await walk({
      files: ctx.files,
      start: target.rel,
      signal: ctx.signal,
      skipDirs: new Set(["node_modules"]),
      visit(entry) {
        if (entry.type !== "file" && entry.type !== "symlink") return;
        const local = entry.rel.slice(prefix.length);
        if (!isMatch(byName ? entry.name : local)) return;
        if (found.length >= GLOB_MAX_RESULTS) {
          more = true;
          return "stop";
        }
        found.push(entry.rel);
      },
    });
    if (found.length === 0) return ok("No files found.", { count: 0 });
    const note = more ? `\n[more than ${GLOB_MAX_RESULTS} files matched; only the first ${GLOB_MAX_RESULTS} are shown — narrow the pattern]` : "";
    return ok(found.join("\n") + note, { count: found.length, truncated: more });
  },
});

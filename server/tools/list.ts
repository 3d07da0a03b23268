// list: a directory tree, skipping .gitignored files, node_modules and .git.
import { z } from "zod";
import { defineTool, fail, ok, pathNeed } from "./types.ts";
import { walk } from "./walk.ts";

export const LIST_MAX_ENTRIES = 1_000;

const schema = z.object({
  path: z.string().optional().describe("Directory to list, relative to the workspace root (default: the root)"),
  ignore: z.array(z.string()).optional().describe('Extra gitignore-style patterns to leave out, e.g. ["dist/", "*.log"]'),
  depth: z.number().int().min(1).max(50).optional().describe("How many directory levels to show (default: all)"),
});

export const listTool = defineTool({
  name: "list",
  description:
    "List the files and directories under a directory as an indented tree (directories end with /). Skips .gitignored paths, node_modules and .git.",
  schema,
  title: (input) => `list ${input.path ?? "."}`,
  permissions: (input, ctx) => pathNeed(ctx, input.path ?? ".", "read"),
  async run(input, ctx) {
    const target = await ctx.files.resolve(input.path ?? ".");
    const stat = await ctx.files.stat(target.rel);
    if (!stat) return fail(`Directory not found: ${target.rel}`);
    if (stat.type !== "directory") return fail(`${target.rel} is not a directory; use read to see a file.`);
    const lines: string[] = [`${target.rel === "." ? "." : target.rel}/`];
    let count = 0;
    let more = false;
    // Directories first, then files, at each level: collect per directory, then print.
    interface Node {
      name: string;
      dir: boolean;
      children: Node[];
    }
    const rootNode: Node = { name: "", dir: true, children: [] };
    const byPath = new Map<string, Node>([[target.rel === "." ? "" : target.rel, rootNode]]);
    await walk({
      files: ctx.files,
      start: target.rel,
      signal: ctx.signal,
      skipDirs: new Set(["node_modules"]),
      ...(input.ignore ? { extraIgnores: input.ignore } : {}),
      ...(input.depth ? { maxDepth: input.depth - 1 } : {}),
      visit(entry) {
        if (count >= LIST_MAX_ENTRIES) {
          more = true;
          return "stop";
        }
        count++;
        const slash = entry.rel.lastIndexOf("/");
        const parent = byPath.get(slash < 0 ? "" : entry.rel.slice(0, slash));
        const node: Node = { name: entry.name, dir: entry.type === "directory", children: [] };
        parent?.children.push(node);
        if (node.dir) byPath.set(entry.rel, node);
      },
    });
    const print = (node: Node, indent: string) => {
      const sorted = [...node.children].sort((a, b) => Number(b.dir) - Number(a.dir) || (a.name < b.name ? -1 : 1));
      for (const child of sorted) {
        lines.push(`${indent}${child.name}${child.dir ? "/" : ""}`);
        if (child.dir) print(child, `${indent}  `);
      }
    };
    print(rootNode, "  ");
    if (more) lines.push(`[stopped after ${LIST_MAX_ENTRIES} entries; list a subdirectory to see more]`);
    return ok(lines.join("\n"), { entries: count, truncated: more });
  },
});

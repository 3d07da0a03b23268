import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTools, ToolRegistry, ToolSession } from "../../../server/tools/index.ts";
import { makeWorkspace, type TempWorkspace } from "../../support/tools/workspace.ts";

let ws: TempWorkspace;
const registry = new ToolRegistry({ tools: builtinTools() });

beforeAll(() => {
  ws = makeWorkspace({
    ".gitignore": "dist/\n*.tmp\n",
    "README.md": "# x\n",
    "src/index.ts": "",
    "src/util/strings.ts": "",
    "src/util/strings.test.ts": "",
    "src/util/.gitignore": "scratch.ts\n",
    "src/util/scratch.ts": "",
    "dist/index.js": "",
    "notes.tmp": "",
    "node_modules/dep/index.js": "",
    ".git/HEAD": "ref: x\n",
    ".github/workflows/ci.yml": "",
  });
});
afterAll(() => ws.cleanup());
const run = (name: string, input: unknown) => registry.run(name, input, ws.ctx());

describe("glob", () => {
  it("matches paths, respecting .gitignore, skipping node_modules and .git", async () => {
    const result = await run("glob", { pattern: "**/*.ts" });
    expect(result.output).toBe("src/index.ts\nsrc/util/strings.test.ts\nsrc/util/strings.ts");
  });

  it("a pattern without a slash matches names at any depth; path narrows", async () => {
    expect((await run("glob", { pattern: "*.test.ts" })).output).toBe("src/util/strings.test.ts");
    expect((await run("glob", { pattern: "*.ts", path: "src/util" })).output).toBe("src/util/strings.test.ts\nsrc/util/strings.ts");
    expect((await run("glob", { pattern: "*.yml" })).output).toBe(".github/workflows/ci.yml");
    expect((await run("glob", { pattern: "{README,LICENSE}.md" })).output).toBe("README.md");
  });

  it("no match, missing dir, not a dir", async () => {
    expect((await run("glob", { pattern: "*.rs" })).output).toBe("No files found.");
    expect((await run("glob", { pattern: "*", path: "missing" })).status).toBe("failed");
    expect((await run("glob", { pattern: "*", path: "README.md" })).output).toMatch(/not a directory/);
  });
});

describe("list", () => {
  it("prints a tree, directories first, without ignored entries", async () => {
    const result = await run("list", {});
    expect(result.output).toBe(
      [
        "./",
        "  .github/",
        "    workflows/",
        "      ci.yml",
        "  src/",
        "    util/",
        "      .gitignore",
        "      strings.test.ts",
        "      strings.ts",
        "    index.ts",
        "  .gitignore",
        "  README.md",
      ].join("\n"),
    );
  });

  it("lists a subdirectory, with extra ignores and a depth", async () => {
    const sub = await run("list", { path: "src", ignore: ["*.test.ts"] });
    expect(sub.output).toBe("src/\n  util/\n    .gitignore\n    strings.ts\n  index.ts");
    const shallow = await run("list", { depth: 1 });
    expect(shallow.output).toBe("./\n  .github/\n  src/\n  .gitignore\n  README.md");
    expect((await run("list", { path: "README.md" })).output).toMatch(/not a directory/);
    // An ignored directory asked for by name is listed.
    expect((await run("list", { path: "dist" })).output).toBe("dist/\n  index.js");
  });
});

describe("todo", () => {
  it("keeps the plan per session", async () => {
    const session = new ToolSession("s1");
    const ctx = ws.ctx({ session });
    const set = await registry.run(
      "todo",
      {
        todos: [
          { content: "Read the code", status: "completed" },
          { content: "Fix the bug", status: "in_progress", priority: "high" },
          { content: "Run tests", status: "pending" },
        ],
      },
      ctx,
    );
    expect(set.output).toBe("[x] Read the code\n[~] Fix the bug (high)\n[ ] Run tests\n(2 open of 3)");
    expect(set.metadata?.todos).toHaveLength(3);
    expect(session.todos.map((t) => t.id)).toEqual(["1", "2", "3"]);
    const read = await registry.run("todo", {}, ctx);
    expect(read.output).toContain("[~] Fix the bug");
    const other = await registry.run("todo", {}, ws.ctx());
    expect(other.output).toMatch(/plan is empty/);
    const bad = await registry.run("todo", { todos: [{ content: "x", status: "done" }] }, ctx);
    expect(bad.status).toBe("failed");
    expect(bad.output).toMatch(/todos.0.status/);
  });
});

describe("createToolContext", () => {
  it("builds a context over disk files with a fresh session", async () => {
    const { createToolContext } = await import("../../../server/tools/index.ts");
    const ctx = createToolContext({ root: ws.root });
    expect(ctx.root).toBe(ws.root);
    expect(ctx.session.todos).toEqual([]);
    const result = await registry.run("read", { path: "README.md" }, ctx);
    expect(result.output).toContain("# x");
  });
});

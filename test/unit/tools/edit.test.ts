import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { builtinTools, ToolRegistry } from "../../../server/tools/index.ts";
import { applyEdit, nearestRegion } from "../../../server/tools/edit-core.ts";
import { makeWorkspace, type TempWorkspace } from "../../support/tools/workspace.ts";

const registry = new ToolRegistry({ tools: builtinTools(), config: { permissions: { edit: "allow", bash: "deny", read: "allow", webfetch: "deny" } } });
let ws: TempWorkspace;
const source = `function add(a, b) {\n  return a + b;\n}\n\nfunction sub(a, b) {\n  return a - b;\n}\n`;

beforeEach(() => {
  ws = makeWorkspace({ "math.js": source, "dup.txt": "x = 1\nx = 1\nx = 1\n", "crlf.txt": "alpha\r\nbeta\r\ngamma\r\n" });
});
afterEach(() => ws.cleanup());
const run = (name: string, input: unknown) => registry.run(name, input, ws.ctx());

describe("write", () => {
  it("creates a file with its directories", async () => {
    const result = await run("write", { path: "deep/new/file.txt", content: "hello\nworld\n" });
    expect(result.status).toBe("completed");
    expect(result.output).toBe("Created deep/new/file.txt (2 lines, 12 bytes).");
    expect(ws.readText("deep/new/file.txt")).toBe("hello\nworld\n");
    expect(result.metadata?.created).toBe(true);
  });

  it("overwrites a file and reports a diff", async () => {
    const result = await run("write", { path: "math.js", content: "// gone\n" });
    expect(result.output).toMatch(/^Overwrote math.js/);
    expect(ws.readText("math.js")).toBe("// gone\n");
    expect(String(result.metadata?.diff)).toContain("+// gone");
  });

  it("refuses to write over a directory", async () => {
    mkdirSync(join(ws.root, "adir"));
    const result = await run("write", { path: "adir", content: "x" });
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/not a regular file/);
  });
});

describe("edit", () => {
  it("replaces a string that matches once and shows the diff", async () => {
    const result = await run("edit", { path: "math.js", oldString: "return a - b;", newString: "return a - b; // subtract" });
    expect(result.status).toBe("completed");
    expect(ws.readText("math.js")).toContain("return a - b; // subtract");
    expect(result.output).toMatch(/1 replacement/);
    expect(result.output).toContain("+  return a - b; // subtract");
  });

  it("refuses several matches, saying how many", async () => {
    const result = await run("edit", { path: "dup.txt", oldString: "x = 1", newString: "x = 2" });
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/found 3 times; it must match exactly once/);
    expect(ws.readText("dup.txt")).toBe("x = 1\nx = 1\nx = 1\n");
  });

  it("replaceAll changes every occurrence", async () => {
    const result = await run("edit", { path: "dup.txt", oldString: "x = 1", newString: "x = 2", replaceAll: true });
    expect(result.output).toMatch(/3 replacements/);
    expect(ws.readText("dup.txt")).toBe("x = 2\nx = 2\nx = 2\n");
  });

  it("shows the nearest region when nothing matches", async () => {
    const result = await run("edit", { path: "math.js", oldString: "function sub(a, b) {\n    return a - b;\n}", newString: "x" });
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/not found/);
    expect(result.output).toMatch(/most similar region \(lines 5-7\)/);
    expect(result.output).toContain("5\tfunction sub(a, b) {");
    expect(result.output).toMatch(/differs only in whitespace/);
    expect(ws.readText("math.js")).toBe(source);
  });

  it("says when nothing similar exists", async () => {
    const result = await run("edit", { path: "math.js", oldString: "ZZZZQQQQ", newString: "x" });
    expect(result.output).toMatch(/Nothing similar was found/);
  });

  it("matches LF text against a CRLF file and keeps CRLF", async () => {
    const result = await run("edit", { path: "crlf.txt", oldString: "alpha\nbeta", newString: "alpha\nBETA" });
    expect(result.status).toBe("completed");
    expect(ws.readText("crlf.txt")).toBe("alpha\r\nBETA\r\ngamma\r\n");
  });

  it("errors: missing file, identical strings, empty oldString", async () => {
    expect((await run("edit", { path: "nope.js", oldString: "a", newString: "b" })).output).toMatch(/File not found: nope.js/);
    expect((await run("edit", { path: "math.js", oldString: "add", newString: "add" })).output).toMatch(/identical/);
    expect((await run("edit", { path: "math.js", oldString: "", newString: "x" })).output).toMatch(/use the write tool/);
    expect((await run("edit", { path: "math.js", newString: "x" })).output).toMatch(/oldString/);
  });

  it("nearestRegion finds the best window", () => {
    const region = nearestRegion("a\nbb\nccc\ndddd\n", "ccx\ndddd");
    expect(region).toMatchObject({ start: 2, length: 2 });
    expect(applyEdit("abc", { oldString: "b", newString: "B" })).toEqual({ ok: true, text: "aBc", replacements: 1 });
  });
});

describe("multiedit", () => {
  it("applies several edits in order", async () => {
    const result = await run("multiedit", {
      path: "math.js",
      edits: [
        { oldString: "function add", newString: "export function add" },
        { oldString: "function sub", newString: "export function sub" },
        { oldString: "export function add(a, b)", newString: "export function plus(a, b)" },
      ],
    });
    expect(result.status).toBe("completed");
    expect(ws.readText("math.js")).toContain("export function plus(a, b)");
    expect(ws.readText("math.js")).toContain("export function sub(a, b)");
  });

  it("applies nothing when one edit fails", async () => {
    const result = await run("multiedit", {
      path: "math.js",
      edits: [
        { oldString: "function add", newString: "export function add" },
        { oldString: "does not exist", newString: "x" },
      ],
    });
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/Edit 2 of 2 on math.js failed, so no edit was applied/);
    expect(ws.readText("math.js")).toBe(source);
  });

  it("rejects an empty edit list", async () => {
    const result = await run("multiedit", { path: "math.js", edits: [] });
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/edits/);
    expect(existsSync(join(ws.root, "math.js"))).toBe(true);
  });
});

describe("edit refuses binary files", () => {
  it("NUL bytes", async () => {
    ws.write("bin.dat", new Uint8Array([97, 0, 98]));
    const result = await run("edit", { path: "bin.dat", oldString: "a", newString: "c" });
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/binary/);
  });
});

import { mkdirSync, symlinkSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTools, ToolRegistry, PathGuard, PathError } from "../../../server/tools/index.ts";
import { DiskWorkspaceFiles } from "../../../server/tools/workspace-files.ts";
import { allowAll, makeWorkspace, tempDir, type TempWorkspace } from "../../support/tools/workspace.ts";

const allow = { edit: "allow", bash: "allow", read: "allow", webfetch: "allow" } as const;
let ws: TempWorkspace;
let outside: string;
const registry = new ToolRegistry({ tools: builtinTools(), config: { permissions: allow } });

beforeAll(() => {
  ws = makeWorkspace({ "inside.txt": "inside\n", "dir/a.txt": "a\n" });
  outside = tempDir("opencode-outside-");
  writeFileSync(join(outside, "secret.txt"), "TOP SECRET\n");
  mkdirSync(join(outside, "sub"));
  symlinkSync(join(outside, "secret.txt"), join(ws.root, "link-out.txt"));
  symlinkSync(outside, join(ws.root, "dir-out"));
  symlinkSync(join(ws.root, "inside.txt"), join(ws.root, "link-in.txt"));
});
afterAll(() => {
  ws.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

const run = (name: string, input: unknown) => registry.run(name, input, ws.ctx({ ask: allowAll }));

describe("path confinement", () => {
  const escapes: [string, () => Record<string, unknown>][] = [
    ["../", () => ({ path: "../../../etc/passwd" })],
    ["dir/../../", () => ({ path: "dir/../../x" })],
    ["absolute outside", () => ({ path: join(outside, "secret.txt") })],
    ["symlinked file out", () => ({ path: "link-out.txt" })],
    ["symlinked dir out", () => ({ path: "dir-out/secret.txt" })],
  ];

  for (const [label, input] of escapes) {
    it(`read refuses ${label}`, async () => {
      const result = await run("read", input());
      expect(result.status).toBe("failed");
      expect(result.output).toMatch(/outside the workspace/);
      expect(result.output).not.toContain("TOP SECRET");
    });
  }

  it("write refuses to create files through a symlinked directory or ../", async () => {
    for (const path of ["dir-out/new.txt", "dir-out/sub/deeper/new.txt", "../new.txt", join(outside, "abs.txt")]) {
      const result = await run("write", { path, content: "x" });
      expect(result.status, path).toBe("failed");
      expect(result.output).toMatch(/outside the workspace/);
    }
    expect(existsSync(join(outside, "new.txt"))).toBe(false);
    expect(existsSync(join(outside, "sub/deeper"))).toBe(false);
    expect(existsSync(join(outside, "abs.txt"))).toBe(false);
  });

  it("edit, multiedit, list, glob, grep and bash refuse paths out", async () => {
    const cases: [string, unknown][] = [
      ["edit", { path: "link-out.txt", oldString: "TOP", newString: "x" }],
      ["multiedit", { path: "../x", edits: [{ oldString: "a", newString: "b" }] }],
      ["list", { path: "dir-out" }],
      ["glob", { pattern: "*", path: ".." }],
      ["grep", { pattern: "SECRET", path: "dir-out" }],
      ["grep", { pattern: "SECRET", path: outside }],
      ["bash", { command: "pwd", workdir: "../" }],
      ["bash", { command: "pwd", workdir: "dir-out" }],
    ];
    for (const [tool, input] of cases) {
      const result = await run(tool, input);
      expect(result.status, `${tool} ${JSON.stringify(input)}`).toBe("failed");
      expect(result.output).toMatch(/outside the workspace/);
    }
  });

  it("allows paths inside, absolute paths inside, and symlinks that stay inside", async () => {
    expect((await run("read", { path: "inside.txt" })).status).toBe("completed");
    expect((await run("read", { path: join(ws.root, "dir/a.txt") })).status).toBe("completed");
    expect((await run("read", { path: "dir/../inside.txt" })).status).toBe("completed");
    const viaLink = await run("read", { path: "link-in.txt" });
    expect(viaLink.output).toContain("inside");
  });

  it("grep over the workspace does not follow the symlink out", async () => {
    for (const ripgrep of [undefined, null] as const) {
      const reg = new ToolRegistry({ tools: builtinTools({ grep: { ripgrep: ripgrep === null ? null : "auto" } }), config: { permissions: allow } });
      const result = await reg.run("grep", { pattern: "SECRET" }, ws.ctx());
      expect(result.status).toBe("completed");
      expect(result.output).toBe("No matches found.");
    }
  });

  it("PathGuard: policy.allowPaths extends the roots", async () => {
    const guard = new PathGuard(ws.root, [outside]);
    const resolved = await guard.resolve(join(outside, "secret.txt"));
    expect(resolved.real).toBe(join(outside, "secret.txt"));
    await expect(new PathGuard(ws.root).resolve("/etc/passwd")).rejects.toBeInstanceOf(PathError);
    await expect(new PathGuard(ws.root).resolve("a\0b")).rejects.toThrow(/NUL/);
    const files = new DiskWorkspaceFiles(ws.root, { allowPaths: [outside] });
    expect(await files.readText(join(outside, "secret.txt"))).toContain("TOP SECRET");
  });
});

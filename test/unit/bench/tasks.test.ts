// Cutting tasks from a repository: deterministic by seed, only from tracked hand-written source
// files, each task's parts put back together give the file's own text.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isHandWritten, isSkippedPath, listSourceFiles } from "../../../server/bench/repo-files.ts";
import { sampleTasks, seededRandom, TASK_KINDS, type Task } from "../../../server/bench/tasks.ts";
import { makeBenchRepo, NEVER_TASKS } from "../../support/bench-repo.ts";

let root: string;
beforeAll(() => {
  root = makeBenchRepo();
});

const text = (file: string) => readFileSync(join(root, file), "utf8");

describe("source files", () => {
  it("are the tracked files of known languages, minus vendored, minified and generated ones", () => {
    const files = listSourceFiles(root).map((f) => `${f.path}:${f.language.id}`);
    expect(files).toEqual(["src/api.ts:typescript", "src/cart.ts:typescript", "src/geometry.py:python", "src/server.go:go", "src/strings.js:javascript"]);
    // app.min.js is skipped by its name; api.ts says "generated": read, then refused (as minified text would be).
    expect(isHandWritten(text("src/api.ts"))).toBe(false);
    expect(isHandWritten(text("src/app.min.js"))).toBe(false);
    expect(isHandWritten(text("src/cart.ts"))).toBe(true);
    expect(listSourceFiles(root, { languages: ["python"] }).map((f) => f.path)).toEqual(["src/geometry.py"]);
  });

  it("by path: vendored, build output, generated and minified names are skipped", () => {
    for (const path of ["vendor/x.js", "a/node_modules/b.js", "dist/x.js", "src/x.min.js", "types.d.ts", "proto/x_pb2.py", "api.pb.go", "x.generated.ts"]) expect(isSkippedPath(path)).toBe(true);
    for (const path of ["src/x.js", "lib/minimal.ts", "vendors.ts"]) expect(isSkippedPath(path)).toBe(false);
  });

  it("outside git, the walk honours the root .gitignore", () => {
    const plain = makeBenchRepo();
    writeFileSync(join(plain, ".gitignore"), "dist/\nsecret.ts\nsrc/strings.js\n");
    rmSync(join(plain, ".git"), { recursive: true });
    const paths = listSourceFiles(plain).map((f) => f.path);
    expect(paths).toContain("src/untracked.ts"); // no git: nothing is "untracked"
    expect(paths).not.toContain("src/strings.js");
    expect(paths).not.toContain("secret.ts");
    expect(paths).not.toContain("dist/out.js");
  });
});

describe("sampling", () => {
  it("the same seed gives the same tasks; another seed, others", () => {
    const a = sampleTasks(root, { tasks: 10, seed: 7 });
    const b = sampleTasks(root, { tasks: 10, seed: 7 });
    const c = sampleTasks(root, { tasks: 10, seed: 8 });
    expect(a.tasks.length).toBe(10);
    expect(b).toEqual(a);
    expect(c.tasks.map((t) => t.id)).not.toEqual(a.tasks.map((t) => t.id));
    expect(seededRandom(1)()).toBe(seededRandom(1)());
  });

  it("never cuts from ignored, untracked, vendored, minified or generated files", () => {
    for (let seed = 0; seed < 20; seed++) {
      for (const task of sampleTasks(root, { tasks: 12, seed }).tasks) expect(NEVER_TASKS).not.toContain(task.file);
    }
  });

  it("cuts every kind, across languages, and each FIM task is its file's own text", () => {
    const { tasks } = sampleTasks(root, { tasks: 16, seed: 3 });
    expect(new Set(tasks.map((t) => t.kind))).toEqual(new Set(TASK_KINDS));
    expect(new Set(tasks.map((t) => t.language)).size).toBeGreaterThanOrEqual(3);
    for (const task of tasks) {
      expect(task.middle.trim()).not.toBe("");
      if (task.kind === "edit") continue;
      const file = text(task.file);
      expect(file).toContain(task.prefix + task.middle + task.suffix);
      expect(file.split("\n")[task.line - 1]).toContain(task.middle.split("\n")[0]);
      if (task.kind === "line") expect(task.middle).not.toContain("\n");
      if (task.kind === "block") expect(task.middle.split("\n").length).toBeGreaterThanOrEqual(2);
      if (task.kind === "api") expect(task.middle).toMatch(/^[A-Za-z_$][\w$]*\s*\(.*\)$/);
    }
  });

  it("an edit task renames one identifier; renaming it back gives the original text", () => {
    const edits = sampleTasks(root, { tasks: 24, seed: 5, kinds: ["edit"] }).tasks.filter((t): t is Extract<Task, { kind: "edit" }> => t.kind === "edit");
    expect(edits.length).toBeGreaterThan(0);
    for (const task of edits) {
      const [, from, to] = /^Rename `([^`]+)` to `([^`]+)`/.exec(task.instruction)!;
      expect(task.before).not.toBe(task.middle);
      expect(task.before).toContain(from!);
      expect(task.before.replace(new RegExp(`(?<![\\w$])${from}(?![\\w$])`, "g"), to!)).toBe(task.middle);
      expect(text(task.file)).toContain(task.middle);
    }
  });

  it("stops at the number asked, and at what the repository has", () => {
    expect(sampleTasks(root, { tasks: 3, seed: 1 }).tasks).toHaveLength(3);
    const all = sampleTasks(root, { tasks: 500, seed: 1 });
    expect(all.tasks.length).toBeGreaterThan(3);
    expect(all.tasks.length).toBeLessThan(500);
    expect(new Set(all.tasks.map((t) => t.id)).size).toBe(all.tasks.length);
  });
});

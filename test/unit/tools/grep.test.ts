import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grepTool, grepWithJs, grepWithRipgrep } from "../../../server/tools/grep.ts";
import { ToolRegistry } from "../../../server/tools/index.ts";
import { which } from "../../../server/sandbox/limits.ts";
import { makeWorkspace, type TempWorkspace } from "../../support/tools/workspace.ts";

const rg = which("rg");
let ws: TempWorkspace;

beforeAll(() => {
  ws = makeWorkspace({
    ".gitignore": "build/\n*.log\n!keep.log\n",
    "src/app.ts": "import { needle } from './lib';\nconst x = needle(1);\n// NEEDLE upper\n",
    "src/lib.ts": "export function needle(n: number) {\n  return n;\n}\n",
    "src/nested/.gitignore": "generated.ts\n",
    "src/nested/generated.ts": "needle in generated\n",
    "src/nested/kept.ts": "needle kept\n",
    "build/out.js": "needle in build\n",
    "debug.log": "needle in log\n",
    "keep.log": "needle kept log\n",
    ".hidden/config.ts": "needle hidden\n",
    ".git/config": "needle in git\n",
    ".env": "NEEDLE_KEY=needle secret\n",
    ".env.local": "needle secret local\n",
    "node_modules/pkg/index.js": "needle in node_modules (not ignored: no .gitignore entry)\n",
    "binary.bin": new Uint8Array([110, 101, 101, 100, 108, 101, 0, 1, 2]),
    "docs/readme.md": "A needle in docs\n",
  });
  symlinkSync(join(ws.root, "src"), join(ws.root, "src-link"));
});
afterAll(() => ws.cleanup());

const engines = [
  ["ripgrep", rg],
  ["js fallback", null],
] as const;

describe.each(engines)("grep (%s)", (_label, engine) => {
  const registry = new ToolRegistry({ tools: [grepTool({ ripgrep: engine })] });
  const grep = (input: unknown) => registry.run("grep", input, ws.ctx());

  it.skipIf(engine === undefined)("finds matches, sorted, respecting .gitignore (nested and negated) and skipping .git, binaries, env files and symlinks", async () => {
    const result = await grep({ pattern: "needle" });
    expect(result.status).toBe("completed");
    expect(result.metadata?.engine).toBe(engine ? "ripgrep" : "js");
    const files = [...result.output.matchAll(/^(\S.*):$/gm)].map((m) => m[1]);
    expect(files).toEqual([".hidden/config.ts", "docs/readme.md", "keep.log", "node_modules/pkg/index.js", "src/app.ts", "src/lib.ts", "src/nested/kept.ts"]);
    expect(result.output).toMatch(/^Found 8 matches in 7 files/);
    expect(result.output).toContain("src/app.ts:\n  1: import { needle } from './lib';\n  2: const x = needle(1);");
  });

  it("include filters by file name or path, ignoreCase works", async () => {
    const byName = await grep({ pattern: "needle", include: "*.ts" });
    expect(byName.output).not.toContain("docs/readme.md");
    expect(byName.output).toContain("src/nested/kept.ts:");
    const byPath = await grep({ pattern: "needle", include: "src/nested/**" });
    expect([...byPath.output.matchAll(/^(\S.*):$/gm)].map((m) => m[1])).toEqual(["src/nested/kept.ts"]);
    const caseless = await grep({ pattern: "NEEDLE", path: "src", ignoreCase: true });
    expect(caseless.metadata?.matches).toBe(5);
    const cased = await grep({ pattern: "NEEDLE", path: "src" });
    expect(cased.metadata?.matches).toBe(1);
  });

  it("searches a subdirectory or a single file", async () => {
    const sub = await grep({ pattern: "return", path: "src" });
    expect(sub.output).toContain("src/lib.ts:\n  2:   return n;");
    const file = await grep({ pattern: "needle", path: "src/lib.ts" });
    expect(file.metadata?.matches).toBe(1);
  });

  it("reports no matches, missing paths and bad patterns", async () => {
    expect((await grep({ pattern: "zzz_not_here" })).output).toBe("No matches found.");
    expect((await grep({ pattern: "x", path: "missing" })).output).toMatch(/Path not found/);
    const bad = await grep({ pattern: "(unclosed" });
    expect(bad.status).toBe("failed");
    expect(bad.output).toMatch(/grep failed/);
  });

  it("caps the matches shown", async () => {
    const result = await grep({ pattern: "needle", maxResults: 2 });
    expect(result.output).toMatch(/\[6 more matches not shown/);
  });
});

describe("grep engines agree", () => {
  it.skipIf(!rg)("ripgrep and the JS fallback return the same matches", async () => {
    const ctx = ws.ctx();
    for (const search of [
      { pattern: "needle", path: "." },
      { pattern: "n[a-z]+", path: "src" },
      { pattern: "needle", path: ".", include: "*.{ts,md}" },
      { pattern: "NEEDLE", path: ".", ignoreCase: true },
      { pattern: "needle", path: "build" },
    ]) {
      const a = await grepWithRipgrep(rg!, search, ctx);
      const b = await grepWithJs(search, ctx);
      expect(a.matches, JSON.stringify(search)).toEqual(b.matches);
      expect(a.matches.length).toBeGreaterThan(0);
    }
  });
});

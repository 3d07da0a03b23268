// Hostile input through the agent's file tools: paths that climb out, point out, name things that
// are not workspace paths, or reach secrets and git's internals. Every tool runs with read and edit
// allowed, so what refuses is the confinement itself.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { builtinTools, ToolRegistry } from "../../../server/tools/index.ts";
import { hostileSuite } from "../../support/hostile.ts";
import { makeWorkspace, tempDir, type TempWorkspace } from "../../support/tools/workspace.ts";

const allow = { edit: "allow", bash: "allow", read: "allow", webfetch: "deny" } as const;
const registry = new ToolRegistry({ tools: builtinTools(), config: { permissions: allow } });
let ws: TempWorkspace;
let outside: string;
const SECRET = "TOP-SECRET-OUTSIDE";
const ENV_SECRET = "ENV-SECRET-VALUE";
const GIT_CONFIG = "[core]\n\trepositoryformatversion = 0\n";

beforeAll(() => {
  ws = makeWorkspace({
    "inside.txt": "inside\n",
    "dir/a.txt": "a\n",
    ".env": `KEY=${ENV_SECRET}\n`,
    ".env.local": `KEY=${ENV_SECRET}\n`,
    ".envrc": `export KEY=${ENV_SECRET}\n`,
    ".ENV": `KEY=${ENV_SECRET}\n`,
    ".git/config": GIT_CONFIG,
    ".git/HEAD": "ref: refs/heads/main\n",
    "vendor/lib/.git/config": GIT_CONFIG,
  });
  outside = tempDir("opencode-hostile-outside-");
  writeFileSync(join(outside, "secret.txt"), `${SECRET}\n`);
  symlinkSync(join(outside, "secret.txt"), join(ws.root, "link-out.txt"));
  symlinkSync(outside, join(ws.root, "dir-out"));
  symlinkSync(join(outside, "not-yet.txt"), join(ws.root, "dangling-out.txt"));
  symlinkSync(join(outside, "not-yet-dir"), join(ws.root, "dangling-dir"));
  symlinkSync("loop-b", join(ws.root, "loop-a"));
  symlinkSync("loop-a", join(ws.root, "loop-b"));
  symlinkSync(".env", join(ws.root, "notes.txt"));
  symlinkSync(".git/hooks", join(ws.root, "hooks"));
  mkdirSync(join(ws.root, ".git/hooks"));
});
afterAll(() => {
  ws.cleanup();
  rmSync(outside, { recursive: true, force: true });
});

const run = (tool: string, input: Record<string, unknown>) => registry.run(tool, input, ws.ctx());

async function refused(tool: string, input: Record<string, unknown>, reason: RegExp): Promise<string> {
  const result = await run(tool, input);
  expect(result.status, `${tool} ${JSON.stringify(input)}: ${result.output}`).toBe("failed");
  expect(result.output).toMatch(reason);
  expect(result.output).not.toContain(SECRET);
  expect(result.output).not.toContain(ENV_SECRET);
  return result.output;
}

const OUT = /outside the workspace/;
const hostile = hostileSuite("tools");

describe("paths that climb out", () => {
  hostile("read ../../../etc/passwd", () => refused("read", { path: "../../../etc/passwd" }, OUT).then(() => undefined));
  hostile("read dir/../../x", () => refused("read", { path: "dir/../../x" }, OUT).then(() => undefined));
  hostile("read an absolute path outside", () => refused("read", { path: join(outside, "secret.txt") }, OUT).then(() => undefined));
  hostile("write ../escape.txt", async () => {
    await refused("write", { path: "../escape.txt", content: "x" }, OUT);
    expect(existsSync(join(ws.root, "..", "escape.txt"))).toBe(false);
  });
  hostile("grep an absolute directory outside", () => refused("grep", { pattern: "SECRET", path: outside }, OUT).then(() => undefined));
  hostile("bash with workdir ../", () => refused("bash", { command: "pwd", workdir: "../" }, OUT).then(() => undefined));
});

describe("~, file:// URIs, other schemes, shell variables", () => {
  hostile("read ~/.bashrc: the home directory, not a folder named ~", () => refused("read", { path: "~/.bashrc" }, OUT).then(() => undefined));
  hostile("write ~/planted.txt creates nothing, in the home directory or under ./~", async () => {
    await refused("write", { path: "~/planted-by-opencode-test.txt", content: "x" }, OUT);
    expect(existsSync(join(ws.root, "~"))).toBe(false);
    expect(existsSync(join(homedir(), "planted-by-opencode-test.txt"))).toBe(false);
  });
  hostile("read ~root/.bashrc (another user's home)", () => refused("read", { path: "~root/.bashrc" }, /another user's home/).then(() => undefined));
  hostile("read file:///etc/passwd", () => refused("read", { path: "file:///etc/passwd" }, OUT).then(() => undefined));
  hostile("write a file:// URI outside creates nothing", async () => {
    await refused("write", { path: pathToFileURL(join(outside, "uri.txt")).href, content: "x" }, OUT);
    expect(existsSync(join(outside, "uri.txt"))).toBe(false);
    expect(existsSync(join(ws.root, "file:"))).toBe(false);
  });
  hostile("a file:// URI inside the workspace means that file", async () => {
    const result = await run("read", { path: pathToFileURL(join(ws.root, "inside.txt")).href });
    expect(result.status).toBe("completed");
    expect(result.output).toContain("inside");
  });
  hostile("a file:// URI with a host is refused", () => refused("read", { path: "file://evil.example/etc/passwd" }, /not a usable file:\/\/ URI/).then(() => undefined));
  hostile("an http:// URI is not a path", () => refused("write", { path: "http://127.0.0.1/x", content: "x" }, /is a URI, not a file path/).then(() => undefined));
  hostile("$HOME/.bashrc is not expanded into ./$HOME", async () => {
    await refused("write", { path: "$HOME/.bashrc", content: "x" }, /shell variables are not expanded/);
    expect(existsSync(join(ws.root, "$HOME"))).toBe(false);
  });
});

describe("NUL bytes", () => {
  for (const [tool, input] of [
    ["read", { path: "inside.txt\0../../etc/passwd" }],
    ["write", { path: "new\0.txt", content: "x" }],
    ["edit", { path: "inside.txt\0", oldString: "inside", newString: "x" }],
    ["grep", { pattern: "x", path: "dir\0" }],
    ["list", { path: "dir\0/.." }],
  ] as const) {
    hostile(`${tool} with a NUL byte in the path`, () => refused(tool, input, /NUL byte/).then(() => undefined));
  }
  hostile("bash with a NUL byte in the command is a failed result", async () => {
    const result = await run("bash", { command: "echo a\0b" });
    expect(result.status).toBe("failed");
  });
});

describe("symlinks inside the workspace that point out", () => {
  hostile("read through a symlinked file", () => refused("read", { path: "link-out.txt" }, OUT).then(() => undefined));
  hostile("write through a symlinked file leaves the target alone", async () => {
    await refused("write", { path: "link-out.txt", content: "overwritten" }, OUT);
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe(`${SECRET}\n`);
  });
  hostile("edit through a symlinked file", async () => {
    await refused("edit", { path: "link-out.txt", oldString: "TOP", newString: "x" }, OUT);
    expect(readFileSync(join(outside, "secret.txt"), "utf8")).toBe(`${SECRET}\n`);
  });
  hostile("read through a symlinked folder", () => refused("read", { path: "dir-out/secret.txt" }, OUT).then(() => undefined));
  hostile("write a new file through a symlinked folder", async () => {
    await refused("write", { path: "dir-out/deep/new.txt", content: "x" }, OUT);
    expect(existsSync(join(outside, "deep"))).toBe(false);
  });
  hostile("list and glob a symlinked folder", async () => {
    await refused("list", { path: "dir-out" }, OUT);
    await refused("glob", { pattern: "*", path: "dir-out" }, OUT);
  });
  hostile("write through a dangling symlink would create its target outside", async () => {
    await refused("write", { path: "dangling-out.txt", content: "x" }, OUT);
    expect(existsSync(join(outside, "not-yet.txt"))).toBe(false);
  });
  hostile("write under a dangling symlinked folder", async () => {
    await refused("write", { path: "dangling-dir/x.txt", content: "x" }, OUT);
    expect(existsSync(join(outside, "not-yet-dir"))).toBe(false);
  });
  hostile("a loop of symlinks is refused, not followed forever", () => refused("write", { path: "loop-a/x.txt", content: "x" }, /loop of symlinks/).then(() => undefined));
  hostile("grep over the workspace does not follow symlinks out", async () => {
    const result = await run("grep", { pattern: "TOP-SECRET" });
    expect(result.output).toBe("No matches found.");
  });
});

describe(".env files", () => {
  const ENV = /environment file/;
  for (const path of [".env", ".env.local", ".envrc", ".ENV", "notes.txt"]) {
    hostile(`read ${path}${path === "notes.txt" ? " (a symlink to .env)" : ""}`, () => refused("read", { path }, ENV).then(() => undefined));
  }
  hostile("read .env as a file:// URI", () => refused("read", { path: pathToFileURL(join(ws.root, ".env")).href }, ENV).then(() => undefined));
  hostile("edit .env", async () => {
    await refused("edit", { path: ".env", oldString: "KEY", newString: "X" }, ENV);
    expect(ws.readText(".env")).toBe(`KEY=${ENV_SECRET}\n`);
  });
  hostile("grep shows no .env content", async () => {
    const result = await run("grep", { pattern: ENV_SECRET });
    expect(result.output).not.toContain(ENV_SECRET);
  });
});

describe("writes into .git/", () => {
  const GIT = /inside \.git\//;
  hostile("write .git/config", async () => {
    await refused("write", { path: ".git/config", content: "[core]\n\tfsmonitor = touch /tmp/pwned\n" }, GIT);
    expect(ws.readText(".git/config")).toBe(GIT_CONFIG);
  });
  hostile("write .git/hooks/pre-commit", async () => {
    await refused("write", { path: ".git/hooks/pre-commit", content: "#!/bin/sh\nexit 0\n" }, GIT);
    expect(existsSync(join(ws.root, ".git/hooks/pre-commit"))).toBe(false);
  });
  hostile("edit .git/HEAD", async () => {
    await refused("edit", { path: ".git/HEAD", oldString: "main", newString: "evil" }, GIT);
    expect(ws.readText(".git/HEAD")).toBe("ref: refs/heads/main\n");
  });
  hostile("multiedit a nested repository's .git/config", () => refused("multiedit", { path: "vendor/lib/.git/config", edits: [{ oldString: "0", newString: "1" }] }, GIT).then(() => undefined));
  hostile("write through a symlink into .git/hooks", async () => {
    await refused("write", { path: "hooks/post-checkout", content: "#!/bin/sh\n" }, GIT);
    expect(existsSync(join(ws.root, ".git/hooks/post-checkout"))).toBe(false);
  });
  hostile("write .GIT/config (case-insensitive file systems)", () => refused("write", { path: ".GIT/config", content: "x" }, GIT).then(() => undefined));
  hostile("write ./dir/../.git/config", () => refused("write", { path: "./dir/../.git/config", content: "x" }, GIT).then(() => undefined));
});

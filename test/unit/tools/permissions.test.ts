import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  builtinTools,
  defineTool,
  evaluateBashCommand,
  isEnvFile,
  matchPattern,
  ok,
  parseCommandLine,
  ToolRegistry,
  type PermissionRequest,
  type PermissionsConfig,
  type RegistryConfig,
  type PermissionOutcome,
} from "../../../server/tools/index.ts";
import { makeWorkspace, type TempWorkspace } from "../../support/tools/workspace.ts";

let ws: TempWorkspace;
beforeAll(() => {
  ws = makeWorkspace({ "a.txt": "hello\n", ".env": "SECRET=1\n", ".env.production": "SECRET=2\n", ".env.example": "SECRET=\n", "config/.env.local": "S=3\n" });
});
afterAll(() => ws.cleanup());

const base: PermissionsConfig = { edit: "ask", bash: "ask", read: "allow", webfetch: "ask" };

function setup(config: RegistryConfig, answers: PermissionOutcome[] = []) {
  const registry = new ToolRegistry({ tools: builtinTools(), config });
  const asked: PermissionRequest[] = [];
  const ctx = ws.ctx({
    ask: async (request) => {
      asked.push(request);
      return answers.shift() ?? "reject";
    },
  });
  return { registry, asked, ctx, run: (name: string, input: unknown) => registry.run(name, input, ctx) };
}

describe("permission words per tool", () => {
  it("allow runs without asking", async () => {
    const { run, asked } = setup({ permissions: { ...base, edit: "allow" } });
    const result = await run("write", { path: "w1.txt", content: "x" });
    expect(result.status).toBe("completed");
    expect(asked).toEqual([]);
  });

  it("deny fails without asking, and nothing happens", async () => {
    const { run, asked } = setup({ permissions: { ...base, edit: "deny" } });
    for (const [tool, input] of [
      ["write", { path: "w2.txt", content: "x" }],
      ["edit", { path: "a.txt", oldString: "hello", newString: "bye" }],
      ["multiedit", { path: "a.txt", edits: [{ oldString: "hello", newString: "bye" }] }],
    ] as const) {
      const result = await run(tool, input);
      expect(result.status).toBe("failed");
      expect(result.output).toMatch(/Permission denied by configuration/);
    }
    expect(asked).toEqual([]);
    expect(ws.readText("a.txt")).toBe("hello\n");
  });

  it("ask goes to the callback with tool, input and title; allow_once runs once", async () => {
    const { run, asked } = setup({ permissions: base }, ["allow_once"]);
    const first = await run("write", { path: "w3.txt", content: "x" });
    expect(first.status).toBe("completed");
    expect(asked[0]).toMatchObject({ tool: "write", title: "write w3.txt", kind: "edit", input: { path: "w3.txt", content: "x" } });
    const second = await run("write", { path: "w3b.txt", content: "x" });
    expect(second.status).toBe("failed");
    expect(asked.length).toBe(2);
  });

  it("a rejection is a failed result the model can read", async () => {
    const { run } = setup({ permissions: base }, ["reject"]);
    const result = await run("bash", { command: "echo hi" });
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/The user rejected this bash call/);
    expect(result.metadata?.permission).toBe("reject");
  });

  it("allow_always is remembered for the session", async () => {
    const { run, asked, registry } = setup({ permissions: base }, ["allow_always"]);
    expect((await run("write", { path: "w4.txt", content: "1" })).status).toBe("completed");
    expect((await run("edit", { path: "w4.txt", oldString: "1", newString: "2" })).status).toBe("completed");
    expect(asked.length).toBe(1);
    // A new session asks again.
    const fresh = await registry.run("write", { path: "w4.txt", content: "3" }, ws.ctx());
    expect(fresh.status).toBe("failed");
  });

  it("without a callback (non-interactive) ask means reject", async () => {
    const registry = new ToolRegistry({ tools: builtinTools(), config: { permissions: base } });
    const result = await registry.run("bash", { command: "echo hi" }, ws.ctx());
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/non-interactive/);
  });

  it("defaults: read allowed, edit and bash ask, webfetch ask", async () => {
    const { run, asked } = setup({});
    expect((await run("read", { path: "a.txt" })).status).toBe("completed");
    expect(asked).toEqual([]);
    await run("bash", { command: "ls" });
    await run("webfetch", { url: "http://127.0.0.1:9/" });
    await run("write", { path: "w5.txt", content: "x" });
    expect(asked.map((r) => r.kind)).toEqual(["bash", "webfetch", "edit"]);
  });
});

describe("bash command patterns", () => {
  const rules = { "git *": "allow", "git push *": "ask", "rm *": "deny", "npm test": "allow", "*": "ask" } as const;

  it("most specific match wins", () => {
    expect(evaluateBashCommand(rules, "git status")).toBe("allow");
    expect(evaluateBashCommand(rules, "git")).toBe("allow");
    expect(evaluateBashCommand(rules, "git push origin main")).toBe("ask");
    expect(evaluateBashCommand(rules, "rm -rf build")).toBe("deny");
    expect(evaluateBashCommand(rules, "npm test")).toBe("allow");
    expect(evaluateBashCommand(rules, "npm test -- --watch")).toBe("ask");
    expect(evaluateBashCommand(rules, "ls")).toBe("ask");
    expect(evaluateBashCommand({ "git *": "allow" }, "ls")).toBe("ask");
  });

  it("compound commands are judged by their strictest part", () => {
    expect(parseCommandLine("git status && rm -rf / ; echo 'a;b' | wc -l").commands).toEqual(["git status", "rm -rf /", "echo 'a;b'", "wc -l"]);
    expect(evaluateBashCommand(rules, "git status && rm -rf /")).toBe("deny");
    expect(evaluateBashCommand(rules, "git status; git log")).toBe("allow");
    expect(evaluateBashCommand(rules, "git log | less")).toBe("ask");
  });

  it("command substitution is at least ask", () => {
    expect(evaluateBashCommand(rules, "git log $(cat x)")).toBe("ask");
    expect(evaluateBashCommand(rules, "git log `whoami`")).toBe("ask");
    expect(evaluateBashCommand({ "*": "allow" }, "echo $(id)")).toBe("ask");
  });

  it("reads the line as bash does, without asking more than it must", () => {
    const allowGit = { "git *": "allow", "npm test": "allow", "echo *": "allow", "*": "ask" } as const;
    for (const line of ["git status 2>&1", "git status >/dev/null 2>&1", "npm test 2>&1", "if git diff --quiet; then echo clean; fi", "echo '$(id) `x` > y ; z'", "git log # a comment; rm -rf x", "{ git status; git log; }"]) {
      expect(evaluateBashCommand(allowGit, line), line).toBe("allow");
    }
    expect(parseCommandLine("cat <<'EOF'\nrm -rf x\nEOF\ngit status")).toEqual({ commands: ["cat", "git status"], hazards: [] });
    expect(parseCommandLine("git log > out.txt 2>&1").hazards).toEqual(["output redirection to out.txt"]);
    expect(parseCommandLine("diff <(git show a) b").commands).toEqual(["diff", "git show a", "b"]);
  });

  it("the user is asked about each command and what the rules could not judge", async () => {
    const { run, asked } = setup({ permissions: { ...base, bash: { "git *": "allow" } } }, ["reject"]);
    await run("bash", { command: "git status > notes.txt; ls" });
    expect(asked[0]!.patterns).toEqual(["git status ; ls [output redirection to notes.txt]"]);
  });

  it("pattern matching", () => {
    expect(matchPattern("git *", "git")).toBe(true);
    expect(matchPattern("git *", "gitk")).toBe(false);
    expect(matchPattern("npm run ?est", "npm run test")).toBe(true);
    expect(matchPattern("a.b", "axb")).toBe(false);
  });

  it("through the registry: allow runs, deny refuses, unmatched asks", async () => {
    const { run, asked } = setup({ permissions: { ...base, bash: { "echo *": "allow", "rm *": "deny" } } }, ["reject"]);
    const echo = await run("bash", { command: "echo ok" });
    expect(echo.status).toBe("completed");
    expect(echo.output).toContain("ok");
    const rm = await run("bash", { command: "rm a.txt" });
    expect(rm.status).toBe("failed");
    expect(rm.output).toMatch(/denied/);
    expect(ws.readText("a.txt")).toBe("hello\n");
    const other = await run("bash", { command: "touch b.txt" });
    expect(other.status).toBe("failed");
    expect(asked.map((r) => r.patterns)).toEqual([["touch b.txt"]]);
  });

  it("allow_always on a bash command remembers that exact command only", async () => {
    const { run, asked } = setup({ permissions: base }, ["allow_always", "reject"]);
    expect((await run("bash", { command: "echo one" })).status).toBe("completed");
    expect((await run("bash", { command: "echo one" })).status).toBe("completed");
    expect((await run("bash", { command: "echo two" })).status).toBe("failed");
    expect(asked.length).toBe(2);
  });
});

describe(".env files", () => {
  it("recognises env files", () => {
    for (const p of [".env", "a/.env", ".env.local", ".env.production", ".envrc", ".ENV", ".Env.Local"]) expect(isEnvFile(p), p).toBe(true);
    for (const p of [".env.example", ".env.sample", "env.ts", "x.env", ".environment.ts"]) expect(isEnvFile(p), p).toBe(false);
  });

  it("reading them is denied by default, even with read: allow", async () => {
    const { run, asked } = setup({ permissions: base });
    for (const path of [".env", ".env.production", "config/.env.local"]) {
      const result = await run("read", { path });
      expect(result.status, path).toBe("failed");
      expect(result.output).toMatch(/environment file/);
      expect(result.output).not.toContain("SECRET=");
    }
    expect(asked).toEqual([]);
    expect((await run("read", { path: ".env.example" })).status).toBe("completed");
  });

  it("a symlink to .env is denied too", async () => {
    const { symlinkSync } = await import("node:fs");
    symlinkSync(".env", `${ws.root}/innocent.txt`);
    const { run } = setup({ permissions: base });
    expect((await run("read", { path: "innocent.txt" })).status).toBe("failed");
  });

  it("grep never shows env files' content", async () => {
    const { run } = setup({ permissions: base });
    const result = await run("grep", { pattern: "SECRET" });
    expect(result.output).toContain(".env.example");
    expect(result.output).not.toMatch(/SECRET=1|SECRET=2/);
  });

  it("explicitly allowed (permissions.env) they can be read; ask asks", async () => {
    const allowed = setup({ permissions: { ...base, env: "allow" } });
    expect((await allowed.run("read", { path: ".env" })).output).toContain("SECRET=1");
    const asking = setup({ permissions: { ...base, env: "ask" } }, ["allow_once"]);
    expect((await asking.run("read", { path: ".env" })).status).toBe("completed");
    expect(asking.asked[0]).toMatchObject({ kind: "read", reason: "environment file" });
  });
});

describe("doom loop", () => {
  it("the same call three times in a row asks before running again", async () => {
    const { run, asked } = setup({ permissions: base }, ["reject"]);
    expect((await run("read", { path: "a.txt" })).status).toBe("completed");
    expect((await run("read", { path: "a.txt" })).status).toBe("completed");
    const third = await run("read", { path: "a.txt" });
    expect(third.status).toBe("failed");
    expect(third.output).toMatch(/called 3 times in a row/);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ kind: "doom_loop", tool: "read" });
  });

  it("a different call in between resets it; allow lets it run; key order does not matter", async () => {
    const { run, asked } = setup({ permissions: base }, ["allow_once"]);
    await run("read", { path: "a.txt", offset: 1 });
    await run("read", { offset: 1, path: "a.txt" });
    const third = await run("read", { path: "a.txt", offset: 1 });
    expect(third.status).toBe("completed");
    expect(asked).toHaveLength(1);
    await run("glob", { pattern: "*" });
    await run("read", { path: "a.txt", offset: 1 });
    await run("read", { path: "a.txt", offset: 1 });
    expect(asked).toHaveLength(1);
  });
});

describe("registry", () => {
  const echo = defineTool({
    name: "echo",
    description: "Echo text",
    schema: z.object({ text: z.string().describe("what to echo"), times: z.number().int().min(1).default(1) }),
    async run(input) {
      return ok(input.text.repeat(input.times));
    },
  });
  const boom = defineTool({
    name: "boom",
    description: "Throws",
    schema: z.object({}),
    async run() {
      throw new Error("kaboom");
    },
  });

  it("definitions carry a JSON Schema derived from zod", () => {
    const registry = new ToolRegistry({ tools: [echo] });
    const [def] = registry.definitions();
    expect(def).toMatchObject({
      name: "echo",
      description: "Echo text",
      inputSchema: { type: "object", properties: { text: { type: "string", description: "what to echo" } }, required: ["text"] },
    });
    expect(def!.inputSchema.$schema).toBeUndefined();
  });

  it("validation failures, unknown tools and throwing tools are failed results", async () => {
    const registry = new ToolRegistry({ tools: [echo, boom] });
    const bad = await registry.run("echo", { text: 5 }, ws.ctx());
    expect(bad).toMatchObject({ status: "failed" });
    expect(bad.output).toMatch(/Invalid input for tool "echo":\n- text: .*expected string/);
    expect((await registry.run("nope", {}, ws.ctx())).output).toMatch(/Unknown tool "nope". Available tools: echo, boom/);
    expect((await registry.run("boom", {}, ws.ctx())).output).toBe("boom failed: kaboom");
    expect((await registry.run("echo", { text: "ab", times: 2 }, ws.ctx())).output).toBe("abab");
  });

  it("policy.denyTools hides and refuses tools (edit covers write and multiedit)", async () => {
    const registry = new ToolRegistry({ tools: builtinTools(), config: { policy: { denyTools: ["bash", "edit"] } } });
    const names = registry.list().map((t) => t.name);
    expect(names).toEqual(["read", "grep", "glob", "list", "todo", "webfetch"]);
    for (const tool of ["bash", "edit", "write", "multiedit"]) {
      expect((await registry.run(tool, {}, ws.ctx())).output).toMatch(/disabled by policy/);
    }
  });

  it("policy.offline refuses webfetch", async () => {
    const registry = new ToolRegistry({ tools: builtinTools(), config: { policy: { offline: true } } });
    const result = await registry.run("webfetch", { url: "https://example.com" }, ws.ctx());
    expect(result.output).toMatch(/offline/);
  });

  it("the live config getter is read on every call", async () => {
    let config: RegistryConfig = { permissions: { ...base, edit: "deny" } };
    const registry = new ToolRegistry({ tools: builtinTools(), config: () => config });
    expect((await registry.run("write", { path: "live.txt", content: "x" }, ws.ctx())).status).toBe("failed");
    config = { permissions: { ...base, edit: "allow" } };
    expect((await registry.run("write", { path: "live.txt", content: "x" }, ws.ctx())).status).toBe("completed");
  });

  it("caps output by lines and bytes with a note", async () => {
    const registry = new ToolRegistry({ tools: [echo] });
    const lines = await registry.run("echo", { text: "x\n", times: 5000 }, ws.ctx());
    expect(lines.output.split("\n").length).toBeLessThanOrEqual(2051);
    expect(lines.output).toMatch(/\[output truncated: \d+ more lines/);
    expect(lines.metadata?.truncated).toBe(true);
    const bytes = await registry.run("echo", { text: "y".repeat(1000), times: 100 }, ws.ctx());
    expect(Buffer.byteLength(bytes.output)).toBeLessThan(53 * 1024);
    expect(bytes.output).toMatch(/output truncated/);
  });

  it("a cancelled signal stops the call before it runs", async () => {
    const registry = new ToolRegistry({ tools: [echo] });
    const controller = new AbortController();
    controller.abort();
    const result = await registry.run("echo", { text: "x" }, ws.ctx({ signal: controller.signal }));
    expect(result).toMatchObject({ status: "failed", metadata: { cancelled: true } });
  });
});

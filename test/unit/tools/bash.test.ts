import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bashTool, ToolRegistry } from "../../../server/tools/index.ts";
import { isAlive, makeWorkspace, waitFor, type TempWorkspace } from "../../support/tools/workspace.ts";

let ws: TempWorkspace;
const registry = new ToolRegistry({
  tools: [bashTool({ killGraceMs: 200, maxOutputBytes: 4096 })],
  config: { permissions: { edit: "allow", bash: "allow", read: "allow", webfetch: "deny" } },
});
const pids = (output: string) => [...output.matchAll(/PID=(\d+)/g)].map((m) => Number(m[1]));

beforeAll(() => {
  ws = makeWorkspace({ "pkg/file.txt": "content\n" });
});
afterAll(() => ws.cleanup());

describe("bash tool", () => {
  it("runs a command in the workspace and reports the exit code", async () => {
    const ok = await registry.run("bash", { command: "cat pkg/file.txt; pwd" }, ws.ctx());
    expect(ok.status).toBe("completed");
    expect(ok.output).toBe(`content\n${ws.root}\n[exit code 0]`);
    const failing = await registry.run("bash", { command: "echo boom >&2; exit 4" }, ws.ctx());
    expect(failing.status).toBe("completed");
    expect(failing.output).toBe("boom\n[exit code 4]");
    expect(failing.metadata).toMatchObject({ exitCode: 4, timedOut: false });
  });

  it("runs in workdir, refusing one that does not exist", async () => {
    const result = await registry.run("bash", { command: "ls", workdir: "pkg" }, ws.ctx());
    expect(result.output).toContain("file.txt");
    const missing = await registry.run("bash", { command: "ls", workdir: "nope" }, ws.ctx());
    expect(missing.status).toBe("failed");
  });

  it("times out and leaves no process behind", async () => {
    const result = await registry.run("bash", { command: "sleep 300 & echo PID=$!; sleep 300", timeout: 300 }, ws.ctx());
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/timed out after 300 ms; its process group was killed/);
    const [pid] = pids(result.output);
    expect(pid).toBeGreaterThan(0);
    expect(await waitFor(() => !isAlive(pid!))).toBe(true);
  });

  it("cancelling the turn kills the whole group", async () => {
    const controller = new AbortController();
    mkdirSync(join(ws.root, "tmp"), { recursive: true });
    const pending = registry.run(
      "bash",
      { command: "(sleep 300 & echo PID=$!; sleep 300) & echo PID=$!; sleep 300 & echo PID=$!; wait" },
      ws.ctx({ signal: controller.signal }),
    );
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const result = await pending;
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/cancelled; its process group was killed/);
    const found = pids(result.output);
    expect(found.length).toBe(3);
    for (const pid of found) expect(await waitFor(() => !isAlive(pid))).toBe(true);
  });

  it("caps the output, keeping the start and the end", async () => {
    const result = await registry.run("bash", { command: "echo FIRST; seq 1 20000; echo LAST" }, ws.ctx());
    expect(result.output.startsWith("FIRST")).toBe(true);
    expect(result.output).toMatch(/LAST\n\[output capped at 4 KiB/);
    expect(result.metadata?.truncated).toBe(true);
    const lines = await new ToolRegistry({ tools: [bashTool()], config: { permissions: { edit: "allow", bash: "allow", read: "allow", webfetch: "deny" } } }).run(
      "bash",
      { command: "seq 1 5000" },
      ws.ctx(),
    );
    expect(lines.output).toMatch(/^1\n2\n/);
    expect(lines.output).toMatch(/lines omitted/);
    expect(lines.output).toMatch(/5000\n\[output capped/);
  });

  it("API keys and tokens are absent from the command's environment", async () => {
    const saved = { ...process.env };
    process.env.OPENAI_API_KEY = "sk-test-should-not-leak";
    process.env.ANTHROPIC_API_KEY = "sk-ant-should-not-leak";
    process.env.GITHUB_TOKEN = "ghp_should_not_leak";
    process.env.AWS_SECRET_ACCESS_KEY = "aws-should-not-leak";
    try {
      const result = await registry.run("bash", { command: "env" }, ws.ctx());
      expect(result.output).not.toMatch(/should-not-leak|should_not_leak/);
      expect(result.output).toContain("PATH=");
    } finally {
      for (const key of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it("the command is one argv element: quotes and metacharacters reach bash intact", async () => {
    const command = `printf '%s|' "a b" '$HOME' "\\$(id)"; echo`;
    const result = await registry.run("bash", { command }, ws.ctx());
    expect(result.output.split("\n")[0]).toBe("a b|$HOME|$(id)|");
  });
});

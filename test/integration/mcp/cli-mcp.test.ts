// `opencode-lsp mcp list` and doctor's MCP section: the built binary starts each configured server
// as a session would, says what it offers or why not, and stops it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isolatedEnv, SERVER_BIN } from "../../support/lsp-client.ts";
import { EVERYTHING, EXITS_AT_ONCE, processesIn } from "../../support/mcp.ts";

function cli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [SERVER_BIN, ...args], { cwd, env: isolatedEnv(), encoding: "utf8", timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function workspace(config: unknown): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mcp-cli-")));
  writeFileSync(join(root, "opencode.json"), JSON.stringify(config));
  return root;
}

const SERVERS = {
  mcp: {
    everything: { type: "local", command: EVERYTHING },
    db: { type: "local", command: EXITS_AT_ONCE },
    far: { type: "remote", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer secret-token" } },
    off: { type: "local", command: ["nothing"], enabled: false },
  },
  policy: { offline: true },
};

describe("opencode-lsp mcp list", () => {
  it("lists each server's state, tools, resources and prompts, then stops them", () => {
    const root = workspace(SERVERS);
    const result = cli(["mcp", "list"], root);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines.find((l) => l.startsWith("everything"))).toMatch(/local\s+ready \(stdio, pid \d+\) · 13 tools, \d+ resources, \d+ prompts/);
    expect(result.stdout).toMatch(/tools: echo, .*get-sum/);
    expect(lines.find((l) => l.startsWith("db"))).toMatch(/failed: exited with code 3: fatal: missing DATABASE_URL/);
    expect(lines.find((l) => l.startsWith("far"))).toMatch(/refused: offline mode .*mcp\.example\.com/);
    expect(lines.find((l) => l.startsWith("off"))).toMatch(/disabled$/);
    expect(result.stdout).not.toContain("secret-token");
    expect(processesIn(root)).toEqual([]);
  });

  it("--json gives the reports as data", () => {
    const root = workspace({ mcp: { everything: { type: "local", command: EVERYTHING } } });
    const result = cli(["mcp", "list", "--json"], root);
    expect(result.code).toBe(0);
    const [report] = JSON.parse(result.stdout);
    expect(report).toMatchObject({ name: "everything", type: "local", state: "ready", transport: "stdio", restarts: 0 });
    expect(report.tools.find((t: any) => t.name === "echo")).toEqual({ name: "echo", description: expect.any(String) });
  });

  it("says when nothing is configured; bad usage and bad config exit 2", () => {
    expect(cli(["mcp", "list"], workspace({})).stdout).toMatch(/No MCP servers configured/);
    expect(cli(["mcp"], workspace({}))).toMatchObject({ code: 2, stderr: expect.stringMatching(/mcp needs a command/) });
    expect(cli(["mcp", "add"], workspace({}))).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown mcp command "add"/) });
    const bad = cli(["mcp", "list"], workspace({ mcp: { x: { type: "local", command: "srv" } } }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/mcp\.x\.command: expected array/);
    expect(cli(["mcp", "--help"], workspace({})).stdout).toContain("Usage: opencode-lsp mcp list");
  });
});

describe("doctor", () => {
  it("shows each MCP server's state, with secrets in their config redacted", () => {
    const root = workspace(SERVERS);
    const result = cli(["doctor"], root);
    expect(result.code).toBe(0);
    const section = result.stdout.slice(result.stdout.indexOf("MCP servers:"));
    expect(section).toMatch(/everything\s+local\s+ready/);
    expect(section).toMatch(/db\s+local\s+failed: exited with code 3/);
    expect(section).toMatch(/far\s+remote\s+refused: offline mode/);
    expect(section).toMatch(/off\s+local\s+disabled/);
    expect(result.stdout).toMatch(/mcp\.far\.headers\.Authorization\s+"\[Redacted\]"/);
    expect(result.stdout).not.toContain("secret-token");
    expect(processesIn(root)).toEqual([]);
  });
});

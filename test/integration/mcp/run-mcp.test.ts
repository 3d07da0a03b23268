// MCP tools in `opencode-lsp run` (the session inline, the hub in the same process): the built
// binary, a scripted model over real HTTP, real MCP servers from npm. The model calls an MCP tool
// and reads its result in the next request; ask without anyone to ask refuses the call (nothing is
// written); a server that cannot start is named to the model and the turn goes on; no server is
// left running when `run` exits.
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/agent-workspace.ts";
import { EVERYTHING, EXITS_AT_ONCE, filesystemServer, processesIn } from "../../support/mcp.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "../../support/providers/scripted-server.ts";

let provider: ScriptedProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

async function workspace(turns: ScriptedTurn[], config: Record<string, unknown>): Promise<string> {
  provider = await startScriptedProvider({ protocol: "openai", turns });
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mcp-run-")));
  writeFileSync(join(root, "opencode.json"), JSON.stringify({ model: "scripted/openai-model", providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } }, ...config }));
  return root;
}

const sent = (i: number) => JSON.stringify(provider!.requests[i]!.body.messages);

describe("run with MCP servers", () => {
  it("the model calls an MCP tool of server-everything; the result reaches its next request", async () => {
    const root = await workspace(
      [{ toolCalls: [{ id: "m1", name: "everything_get-sum", arguments: { a: 19, b: 23 } }] }, { text: "The sum is 42." }],
      { mcp: { everything: { type: "local", command: EVERYTHING } } },
    );
    const result = await runCli(["run", "--yes", "add 19 and 23 with the MCP tool"], root);
    expect(result.stderr).not.toMatch(/opencode-lsp: /);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("The sum is 42.");
    const tools = provider!.requests[0]!.body.tools as { function: { name: string; parameters: any } }[];
    const sum = tools.find((t) => t.function.name === "everything_get-sum");
    expect(sum?.function.parameters).toMatchObject({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } } });
    expect(tools.some((t) => t.function.name === "read")).toBe(true);
    expect(sent(1)).toMatch(/The sum of 19 and 23 is 42/);
    expect(result.stderr).toMatch(/• everything: get-sum/);
    expect(processesIn(root)).toEqual([]);
  }, 30_000);

  it("ask with no one to ask: the call is not made (the file is not written), and the model is told", async () => {
    const root = await workspace([], {});
    const target = join(root, "out.txt");
    const write: ScriptedTurn = { toolCalls: [{ id: "w1", name: "fs_write_file", arguments: { path: target, content: "written by MCP" } }] };
    const config = { ...JSON.parse(readFileSync(join(root, "opencode.json"), "utf8")), mcp: { fs: { type: "local", command: filesystemServer(root) } } };
    writeFileSync(join(root, "opencode.json"), JSON.stringify(config));
    provider!.setTurns([write, { text: "I could not write it." }]);
    const result = await runCli(["run", "write out.txt"], root);
    expect(result.code).toBe(0);
    expect(existsSync(target)).toBe(false);
    expect(sent(1)).toMatch(/Permission required for fs_write_file.*not run/);

    // permissions.mcp allows that server's tools: it runs.
    writeFileSync(join(root, "opencode.json"), JSON.stringify({ ...config, permissions: { mcp: { "fs_*": "allow" } } }));
    provider!.setTurns([write, { text: "Done." }]);
    const allowed = await runCli(["run", "write out.txt"], root);
    expect(allowed.code).toBe(0);
    expect(readFileSync(target, "utf8")).toBe("written by MCP");
    expect(processesIn(root)).toEqual([]);
  }, 30_000);

  it("a server that exits at once: the turn goes on, and the model is told it is unavailable", async () => {
    const root = await workspace([{ text: "Working without it." }], { mcp: { db: { type: "local", command: EXITS_AT_ONCE }, everything: { type: "local", command: EVERYTHING } } });
    const result = await runCli(["run", "hello"], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Working without it.");
    expect(result.stderr).toMatch(/MCP server "db" is unavailable: exited with code 3/);
    const body = provider!.requests[0]!.body;
    expect(JSON.stringify(body.messages[0])).toMatch(/MCP servers are unavailable now.*db: exited with code 3: fatal: missing DATABASE_URL/);
    expect(body.tools.some((t: any) => t.function.name === "everything_echo")).toBe(true);
    expect(processesIn(root)).toEqual([]);
  }, 30_000);

  it("policy.denyTools hides a server's tools from the model", async () => {
    const root = await workspace([{ text: "ok" }], { mcp: { everything: { type: "local", command: EVERYTHING } }, policy: { denyTools: ["everything_*"] } });
    const result = await runCli(["run", "hello"], root);
    expect(result.code).toBe(0);
    const names = provider!.requests[0]!.body.tools.map((t: any) => t.function.name);
    expect(names).toContain("read");
    expect(names.some((n: string) => n.startsWith("everything_"))).toBe(false);
  }, 30_000);
});

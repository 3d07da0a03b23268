// MCP tools in the LSP front: the session's loop runs in a worker, the MCP servers in the main
// thread's hub, reached through the worker RPC. The built server over stdio, a scripted model,
// server-everything and server-filesystem from npm: opencode.mcp.list, a turn that calls an MCP
// tool after asking (the result reaches the next request), a rejected call that is not made, a
// killed server restarted between turns, health, and no MCP child left after shutdown.
import { existsSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { LspTestClient } from "../../support/lsp-client.ts";
import { EVERYTHING, filesystemServer, processesIn } from "../../support/mcp.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "../../support/providers/scripted-server.ts";

let provider: ScriptedProvider;

/** A language server in a fresh workspace with both MCP servers configured; gone after the test. */
async function start(turns: ScriptedTurn[]) {
  provider = await startScriptedProvider({ protocol: "openai", turns });
  onTestFinished(() => provider.close());
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mcp-lsp-")));
  const client = new LspTestClient({ cwd: root });
  onTestFinished(() => client.kill());
  await client.initialize({
    rootUri: pathToFileURL(root).href,
    capabilities: { workspace: { applyEdit: true } },
    initializationOptions: {
      model: "scripted/test-model",
      providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } },
      mcp: { everything: { type: "local", command: EVERYTHING }, fs: { type: "local", command: filesystemServer(root) } },
      capabilities: { permissionRequests: true },
    },
  });
  return { root, client };
}

const sent = (i: number) => JSON.stringify(provider.requests[i]!.body.messages);

describe("MCP in the LSP front", () => {
  it("lists the servers, runs a turn that calls MCP tools through the worker, asks first, and leaves nothing behind", async () => {
    const { root, client } = await start([]);
    const target = join(root, "nope.txt");
    provider.setTurns([
      { toolCalls: [{ id: "m1", name: "everything_get-sum", arguments: { a: 2, b: 40 } }] },
      { toolCalls: [{ id: "m2", name: "fs_write_file", arguments: { path: target, content: "should not be written" } }] },
      { text: "Sum is 42; the write was refused." },
    ]);
    client.answers.set("opencode/session/requestPermission", (params) => ({ outcome: params.tool === "everything_get-sum" ? "allow_once" : "reject" }));

    const listed = await client.request("workspace/executeCommand", { command: "opencode.mcp.list", arguments: [] });
    expect(listed.map((r: any) => [r.name, r.state])).toEqual([["everything", "ready"], ["fs", "ready"]]);
    expect(listed[0].tools.map((t: any) => t.name)).toContain("get-sum");
    expect(listed[1].tools.map((t: any) => t.name)).toContain("write_file");

    const { sessionId } = await client.request("opencode/session/new", {});
    const result = await client.request("opencode/session/prompt", { sessionId, prompt: "add and write" });
    expect(result).toEqual({ stopReason: "end_turn" });
    const asked = client.serverRequests.filter((r) => r.method === "opencode/session/requestPermission").map((r) => r.params.tool);
    expect(asked).toEqual(["everything_get-sum", "fs_write_file"]);
    expect(sent(1)).toMatch(/The sum of 2 and 40 is 42/);
    expect(sent(2)).toMatch(/user rejected this fs_write_file call/);
    expect(existsSync(target)).toBe(false);

    const updates = client.notifications.filter((n) => n.method === "opencode/session/update").map((n) => n.params.update);
    expect(updates.find((u) => u.kind === "tool_call" && u.tool === "everything_get-sum")).toMatchObject({ title: 'everything: get-sum {"a":2,"b":40}' });
    expect(updates.find((u) => u.kind === "tool_result" && u.id === "m1")).toMatchObject({ status: "completed" });

    const health = await client.request("opencode/health");
    expect(health.agent.mcp.map((s: any) => [s.name, s.state])).toEqual([["everything", "ready"], ["fs", "ready"]]);
    // The MCP servers run in the workspace (as does the language server itself).
    const mcpChildren = () => processesIn(root).filter((pid) => pid !== client.child.pid);
    expect(mcpChildren().length).toBeGreaterThanOrEqual(2);

    await client.request("shutdown");
    expect(mcpChildren()).toEqual([]);
    await client.notify("exit");
    expect(await client.exited).toBe(0);
  }, 60_000);

  it("a killed MCP server is restarted; the next turn's call works", async () => {
    const { root, client } = await start([]);
    client.answers.set("opencode/session/requestPermission", () => ({ outcome: "allow_always" }));
    const { sessionId } = await client.request("opencode/session/new", {});
    provider.setTurns([{ toolCalls: [{ id: "e1", name: "everything_echo", arguments: { message: "first" } }] }, { text: "one" }]);
    await client.request("opencode/session/prompt", { sessionId, prompt: "echo" });
    expect(sent(1)).toContain("Echo: first");
    const [before] = (await client.request("opencode/health")).agent.mcp.filter((s: any) => s.name === "everything");
    process.kill(-before.pid, "SIGKILL");

    provider.setTurns([{ toolCalls: [{ id: "e2", name: "everything_echo", arguments: { message: "second" } }] }, { text: "two" }]);
    expect(await client.request("opencode/session/prompt", { sessionId, prompt: "echo again" })).toEqual({ stopReason: "end_turn" });
    expect(sent(3)).toContain("Echo: second");
    const [after] = (await client.request("opencode/health")).agent.mcp.filter((s: any) => s.name === "everything");
    expect(after).toMatchObject({ state: "ready", restarts: 1 });
    expect(after.pid).not.toBe(before.pid);
    await client.shutdownAndExit();
    expect(processesIn(root)).toEqual([]);
  }, 60_000);

  it("a language server ended by SIGTERM takes its MCP servers with it", async () => {
    const { root, client } = await start([]);
    const listed = await client.request("workspace/executeCommand", { command: "opencode.mcp.list", arguments: [] });
    expect(listed.every((r: any) => r.state === "ready")).toBe(true);
    expect(processesIn(root).filter((pid) => pid !== client.child.pid).length).toBeGreaterThanOrEqual(2);
    client.child.kill("SIGTERM");
    await client.exited;
    // The server sent SIGKILL to each group before it ended; the kernel takes them down a moment later.
    await expect.poll(() => processesIn(root), { timeout: 2_000 }).toEqual([]);
  }, 60_000);

  it("cancelling the turn stops a long MCP call at once (the abort crosses from the worker)", async () => {
    const { client } = await start([{ toolCalls: [{ id: "l1", name: "everything_trigger-long-running-operation", arguments: { duration: 30, steps: 30 } }] }, { text: "never" }]);
    client.answers.set("opencode/session/requestPermission", () => ({ outcome: "allow_once" }));
    const { sessionId } = await client.request("opencode/session/new", {});
    const turn = client.request("opencode/session/prompt", { sessionId, prompt: "run the long thing" });
    await client.waitForNotification("opencode/session/update", (p) => p.update.kind === "tool_call", 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const cancelled = performance.now();
    await client.notify("opencode/session/cancel", { sessionId });
    expect(await turn).toEqual({ stopReason: "cancelled" });
    expect(performance.now() - cancelled).toBeLessThan(5_000);
    const result = await client.waitForNotification("opencode/session/update", (p) => p.update.kind === "tool_result" && p.update.id === "l1");
    expect(result.update).toMatchObject({ status: "failed", output: "Cancelled." });
    await client.shutdownAndExit();
  }, 60_000);
});

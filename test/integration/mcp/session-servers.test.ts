// A session's own MCP servers, the way the ACP front gives them (session/new `mcpServers`, through
// fromAcpMcpServers): the SessionManager hands them to that session alone, its model can call
// them, another session cannot, and they stop when the session ends.
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it, onTestFinished } from "vitest";
import { Bus } from "../../../server/bus/bus.ts";
import { ConfigStore } from "../../../server/config/index.ts";
import { fromAcpMcpServers } from "../../../server/mcp/index.ts";
import { createModelClient } from "../../../server/providers/index.ts";
import { SessionManager } from "../../../server/sessions/manager.ts";
import { builtinTools, ToolRegistry } from "../../../server/tools/index.ts";
import { mcpTools } from "../../../server/tools/mcp-tools.ts";
import { EVERYTHING, processesIn } from "../../support/mcp.ts";
import { startScriptedProvider } from "../../support/providers/scripted-server.ts";

it("ACP mcpServers: the session that got them can call them, another cannot; they stop with the session", async () => {
  const provider = await startScriptedProvider({ protocol: "openai" });
  onTestFinished(() => provider.close());
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mcp-sessions-")));
  const store = new ConfigStore();
  store.set("workspace", "opencode.json", { model: "scripted/m", providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "k" } }, permissions: { mcp: "allow" } });
  const config = () => store.config;
  const manager = new SessionManager({
    root,
    bus: new Bus(),
    client: createModelClient({ config: store.config }),
    config,
    isolation: "inline",
    tools: new ToolRegistry({ tools: builtinTools(), config }),
    mcpTools,
  });
  onTestFinished(() => manager.dispose());

  const mcpServers = fromAcpMcpServers([{ name: "zed-tools", command: EVERYTHING[0]!, args: EVERYTHING.slice(1), env: [{ name: "FROM_ZED", value: "yes" }] }]);
  const withServers = manager.create({ mcpServers });
  const without = manager.create({});

  provider.setTurns([{ toolCalls: [{ id: "z1", name: "zed-tools_get-env", arguments: {} }] }, { text: "seen" }]);
  expect(await withServers.prompt("show the env")).toMatchObject({ stopReason: "end_turn" });
  expect(provider.requests[0]!.body.tools.map((t: any) => t.function.name)).toContain("zed-tools_echo");
  expect(JSON.stringify(provider.requests[1]!.body.messages)).toContain("FROM_ZED");

  provider.setTurns([{ text: "no such tools here" }]);
  await without.prompt("hello");
  expect(provider.requests[2]!.body.tools.map((t: any) => t.function.name).some((n: string) => n.startsWith("zed-tools_"))).toBe(false);

  expect(manager.mcp.status()).toEqual([expect.objectContaining({ name: "zed-tools", session: withServers.id, state: "ready" })]);
  expect(processesIn(root).length).toBeGreaterThan(0);
  manager.end(withServers.id);
  await expect.poll(() => processesIn(root).length, { timeout: 5_000 }).toBe(0);
  expect(manager.mcp.status()).toEqual([]);
}, 30_000);

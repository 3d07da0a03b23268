// MCP tools through the registry, with an in-memory MCP access: the server's JSON Schema is what the
// model sees and what the input is validated against (before anything is asked or sent), the
// `mcp` permission (word or tool-name patterns) gates the call, denyTools hides them, and a
// registry view per turn leaves the shared registry as it was.
import { describe, expect, it } from "vitest";
import type { McpSessionAccess, McpToolInfo } from "../../../server/mcp/types.ts";
import { mcpToolName } from "../../../server/mcp/names.ts";
import { buildSystemPrompt } from "../../../server/agent/system-prompt.ts";
import { mcpTools } from "../../../server/tools/mcp-tools.ts";
import { ToolRegistry, type RegistryConfig } from "../../../server/tools/registry.ts";
import { ToolSession, type AskPermission, type PermissionRequest, type ToolContext } from "../../../server/tools/types.ts";
import { DiskWorkspaceFiles } from "../../../server/tools/workspace-files.ts";
import { tempDir } from "../../support/tools/workspace.ts";

const SUM: McpToolInfo = {
  name: "calc_sum",
  server: "calc",
  tool: "sum",
  description: "Adds numbers",
  inputSchema: { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"], additionalProperties: false },
};
const WIPE: McpToolInfo = { name: "danger_wipe", server: "danger", tool: "wipe", description: "Wipes everything", inputSchema: { type: "object", properties: {} } };

function fakeAccess(tools: McpToolInfo[] = [SUM, WIPE]) {
  const calls: { server: string; tool: string; args: Record<string, unknown> }[] = [];
  const access: McpSessionAccess = {
    tools: async () => ({ tools, unavailable: [{ server: "down", state: "failed", reason: "exited with code 1" }] }),
    call: async (server, tool, args) => {
      calls.push({ server, tool, args });
      if (tool === "sum") return { status: "completed", output: String((args.a as number) + (args.b as number)) };
      return { status: "failed", output: "refused by the server" };
    },
  };
  return { access, calls };
}

const files = new DiskWorkspaceFiles(tempDir("mcp-tools-"));
function ctx(ask?: AskPermission): ToolContext {
  return { root: files.root, files, signal: new AbortController().signal, session: new ToolSession("t"), ...(ask ? { ask } : {}) };
}

async function registryWith(config: RegistryConfig, tools = [SUM, WIPE]) {
  const { access, calls } = fakeAccess(tools);
  const mcp = await mcpTools(access);
  return { registry: new ToolRegistry({ config }).withTools(mcp.tools), calls, unavailable: mcp.unavailable };
}

describe("MCP tools in the registry", () => {
  it("are shown with the server's JSON Schema (without $schema) and its description", async () => {
    const { registry } = await registryWith({});
    const sum = registry.definitions().find((d) => d.name === "calc_sum");
    expect(sum).toEqual({ name: "calc_sum", description: "Adds numbers", inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"], additionalProperties: false } });
  });

  it("validate the input against that schema before asking or calling", async () => {
    const { registry, calls } = await registryWith({ permissions: { edit: "ask", bash: "ask", read: "allow", webfetch: "ask", mcp: "ask" } });
    const asked: PermissionRequest[] = [];
    const result = await registry.run("calc_sum", { a: 1, b: "two" }, ctx(async (r) => (asked.push(r), "allow_once")));
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/Invalid input for tool "calc_sum".*input\/b must be number/s);
    const missing = await registry.run("calc_sum", { a: 1 }, ctx(async () => "allow_once"));
    expect(missing.output).toMatch(/must have required property 'b'/);
    expect(asked).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("ask by default: allowed runs the call, rejected does not make it", async () => {
    const { registry, calls } = await registryWith({});
    const asked: PermissionRequest[] = [];
    const ok = await registry.run("calc_sum", { a: 2, b: 3 }, ctx(async (r) => (asked.push(r), "allow_once")));
    expect(ok).toMatchObject({ status: "completed", output: "5" });
    expect(asked[0]).toMatchObject({ tool: "calc_sum", kind: "mcp", title: 'calc: sum {"a":2,"b":3}', patterns: ["calc_sum"] });
    const rejected = await registry.run("danger_wipe", {}, ctx(async () => "reject"));
    expect(rejected.status).toBe("failed");
    expect(rejected.output).toMatch(/user rejected this danger_wipe call/);
    expect(calls.map((c) => c.tool)).toEqual(["sum"]);
    const nobody = await registry.run("danger_wipe", {}, ctx());
    expect(nobody.output).toMatch(/no one can be asked/);
    expect(calls.map((c) => c.tool)).toEqual(["sum"]);
  });

  it("permissions.mcp patterns: the most specific tool-name pattern wins; allow_always remembers one tool", async () => {
    const { registry, calls } = await registryWith({ permissions: { edit: "ask", bash: "ask", read: "allow", webfetch: "ask", mcp: { "*": "ask", "calc_*": "allow", "danger_*": "deny" } } });
    expect((await registry.run("calc_sum", { a: 1, b: 1 }, ctx())).output).toBe("2");
    const denied = await registry.run("danger_wipe", {}, ctx(async () => "allow_once"));
    expect(denied.output).toMatch(/Permission denied by configuration: danger_wipe \(mcp\)/);
    expect(calls).toHaveLength(1);

    const { registry: asking } = await registryWith({});
    const session = ctx(async () => "allow_always");
    await asking.run("calc_sum", { a: 1, b: 2 }, session);
    let asked = 0;
    const again = { ...session, ask: (async () => (asked++, "reject")) as AskPermission };
    expect((await asking.run("calc_sum", { a: 5, b: 5 }, again)).output).toBe("10");
    expect((await asking.run("danger_wipe", {}, again)).status).toBe("failed");
    expect(asked).toBe(1);
  });

  it("policy.denyTools hides them: by name, by the group mcp, or by SERVER_*", async () => {
    for (const entry of ["calc_sum", "mcp", "calc_*"]) {
      const { registry, calls } = await registryWith({ permissions: { edit: "ask", bash: "ask", read: "allow", webfetch: "ask", mcp: "allow" }, policy: { denyTools: [entry] } });
      expect(registry.list().map((t) => t.name)).not.toContain("calc_sum");
      const result = await registry.run("calc_sum", { a: 1, b: 1 }, ctx());
      expect(result.output).toMatch(/disabled by policy/);
      expect(calls).toEqual([]);
    }
    const { registry } = await registryWith({ policy: { denyTools: ["calc_*"] } });
    expect(registry.list().map((t) => t.name)).toContain("danger_wipe");
  });

  it("a server's failure is a failed result; the turn goes on", async () => {
    const { registry } = await registryWith({ permissions: { edit: "ask", bash: "ask", read: "allow", webfetch: "ask", mcp: "allow" } });
    expect(await registry.run("danger_wipe", {}, ctx())).toMatchObject({ status: "failed", output: "refused by the server" });
  });

  it("a turn's view leaves the shared registry without them", async () => {
    const base = new ToolRegistry({});
    const { access } = fakeAccess();
    const view = base.withTools((await mcpTools(access)).tools);
    expect(view.get("calc_sum")).toBeDefined();
    expect(base.get("calc_sum")).toBeUndefined();
  });

  it("unavailable servers are named in the system prompt", async () => {
    const { unavailable } = await registryWith({});
    expect(await buildSystemPrompt({ root: files.root, unavailableMcp: unavailable })).toMatch(/MCP servers are unavailable now.*\n- down: exited with code 1/s);
    expect(await buildSystemPrompt({ root: files.root, unavailableMcp: [] })).not.toMatch(/MCP/);
  });
});

describe("MCP tool names", () => {
  it("are SERVER_tool, sanitised and at most 64 characters, still unique", () => {
    expect(mcpToolName("everything", "get-sum")).toBe("everything_get-sum");
    expect(mcpToolName("my server", "do.it")).toBe("my_server_do_it");
    const a = mcpToolName("s", "x".repeat(100));
    const b = mcpToolName("s", `${"x".repeat(99)}y`);
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

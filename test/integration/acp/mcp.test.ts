// ACP's session/new `mcpServers` (what Zed and the other panels pass) run for that session: the
// server-everything from npm, given by the client, not configured; its tool is asked about through
// session/request_permission, called, and its result reaches the model's next request. A second
// session does not see it, and the server stops when the session closes.
import { describe, expect, it } from "vitest";
import { acpFixtures, acpWorkspace } from "../../support/acp-client.ts";
import { EVERYTHING, processesIn } from "../../support/mcp.ts";

const fixtures = acpFixtures();
const everything = { name: "everything", command: EVERYTHING[0]!, args: EVERYTHING.slice(1), env: [{ name: "MARKER_ENV", value: "acp" }] };

describe("acp: mcpServers of session/new", () => {
  it("the session's own MCP server: asked about, called, its result sent to the model; other sessions do not have it", async () => {
    const provider = await fixtures.provider([{ toolCalls: [{ id: "m1", name: "everything_get-sum", arguments: { a: 40, b: 2 } }] }, { text: "It is 42." }, { text: "no tools here" }]);
    const root = acpWorkspace({}, { alpha: provider.baseURLs.openai });
    const client = await fixtures.client(root);
    const init = await client.initialize();
    expect(init.agentCapabilities?.mcpCapabilities).toEqual({ http: true, sse: true });

    const { sessionId } = await client.newSession(root, [everything]);
    expect(await client.prompt(sessionId, "add 40 and 2")).toEqual({ stopReason: "end_turn" });
    const tools = (provider.requests[0]!.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(tools).toContain("everything_get-sum");
    expect(client.permissionRequests.map((r) => r.toolCall.title)).toEqual([expect.stringContaining("get-sum")]);
    expect(JSON.stringify(provider.requests[1]!.body.messages)).toMatch(/The sum of 40 and 2 is 42/);

    const other = await client.newSession(root);
    await client.prompt(other.sessionId, "hello");
    expect((provider.requests[2]!.body.tools as { function: { name: string } }[]).map((t) => t.function.name)).not.toContain("everything_get-sum");

    // The MCP server runs in the workspace (its cwd), beside the acp process itself; closing the session stops it.
    const mcpChildren = () => processesIn(root).filter((pid) => pid !== client.child.pid);
    expect(mcpChildren().length).toBeGreaterThan(0);
    await client.agent.request("session/close", { sessionId });
    await expect.poll(mcpChildren, { timeout: 5000 }).toEqual([]);
  }, 40_000);
});

// bash over ACP: in the client's terminal when it offers terminal/* (the call shows the terminal, the
// model gets its output and exit code, the terminal is released; cancel and timeout kill it), and in
// our own sandbox when it does not.
import type * as acp from "@agentclientprotocol/sdk";
import { describe, expect, it } from "vitest";
import { acpFixtures, acpWorkspace } from "../../support/acp-client.ts";
import type { ScriptedProvider, ScriptedTurn } from "../../support/providers/scripted-server.ts";

const fixtures = acpFixtures();

const bash = (command: string, extra: Record<string, unknown> = {}): ScriptedTurn => ({ toolCalls: [{ id: "b1", name: "bash", arguments: { command, ...extra } }] });

async function start(turns: ScriptedTurn[], capabilities: acp.ClientCapabilities) {
  const provider = await fixtures.provider(turns);
  const root = acpWorkspace({ "a.txt": "a\n" }, { alpha: provider.baseURLs.openai });
  const client = await fixtures.client(root, { capabilities });
  const { sessionId } = await client.newSession(root);
  return { root, client, provider, sessionId };
}

const lastToolResult = (p: ScriptedProvider) => (p.requests.at(-1)!.body.messages as { role: string; content: string }[]).filter((m) => m.role === "tool").at(-1)?.content ?? "";

describe("acp: bash", () => {
  it("runs in the client's terminal when offered, and the call shows that terminal", async () => {
    const { root, client, provider, sessionId } = await start([bash("echo hello from $PWD && exit 3"), { text: "ran it" }], { terminal: true });
    expect(await client.prompt(sessionId, "run it")).toEqual({ stopReason: "end_turn" });
    expect([...client.terminals.values()]).toEqual([expect.objectContaining({ command: "bash", args: ["-c", "echo hello from $PWD && exit 3"], cwd: root, released: true })]);
    const [terminalId] = [...client.terminals.keys()];
    expect(lastToolResult(provider)).toContain(`hello from ${root}`);
    expect(lastToolResult(provider)).toContain("[exit code 3]");
    const updates = client.updatesOf(sessionId).filter((u) => u.sessionUpdate === "tool_call_update");
    expect(updates[0]).toMatchObject({ toolCallId: "b1", content: [{ type: "terminal", terminalId }] }); // shown while it runs
    expect(updates.at(-1)).toMatchObject({ toolCallId: "b1", status: "completed", content: [{ type: "terminal", terminalId }] });
    expect(client.updatesOf(sessionId).find((u) => u.sessionUpdate === "tool_call")).toMatchObject({ kind: "execute" });
  });

  it("cancel kills the command in the client's terminal; the tool's timeout does too", async () => {
    const { client, provider, sessionId } = await start([bash("sleep 30"), { text: "never" }], { terminal: true });
    const running = client.prompt(sessionId, "wait");
    await expect.poll(() => client.terminals.size, { timeout: 5000 }).toBe(1);
    await client.agent.notify("session/cancel", { sessionId });
    expect(await running).toEqual({ stopReason: "cancelled" });
    const [first] = [...client.terminals.values()];
    expect(await first!.exit).toMatchObject({ signal: "SIGKILL" });

    provider.setTurns([bash("sleep 30", { timeout: 300 }), { text: "it timed out" }]);
    expect(await client.prompt(sessionId, "wait, but not long")).toEqual({ stopReason: "end_turn" });
    expect(lastToolResult(provider)).toContain("timed out after 300 ms");
  });

  it("runs in the sandbox when the client has no terminal", async () => {
    const { client, provider, sessionId } = await start([bash("echo sandboxed"), { text: "ran it" }], {});
    await client.prompt(sessionId, "run it");
    expect(client.terminals.size).toBe(0);
    expect(lastToolResult(provider)).toContain("sandboxed");
    expect(lastToolResult(provider)).toContain("[exit code 0]");
    expect(client.updatesOf(sessionId).find((u) => u.sessionUpdate === "tool_call_update" && u.status === "completed")).toMatchObject({ content: [{ type: "content", content: { type: "text", text: expect.stringContaining("sandboxed") } }] });
  });
});

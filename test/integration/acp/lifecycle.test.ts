// The session lifecycle over ACP: cancel mid-stream (the model stream closed), load replaying the
// conversation, list / resume / close, a session kept with retention "local" loaded by another
// process, and set_config_option switching the model to another scripted server.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acpFixtures, acpWorkspace } from "../../support/acp-client.ts";
import type { ScriptedTurn } from "../../support/providers/scripted-server.ts";

const SOURCE = "export const answer = 41;\n";

const fixtures = acpFixtures();
const provider = (turns: ScriptedTurn[]) => fixtures.provider(turns);
const connect = (root: string, env: NodeJS.ProcessEnv = {}) => fixtures.client(root, { env });

describe("acp: cancel", () => {
  it("session/cancel mid-stream ends the turn with cancelled and closes the model stream", async () => {
    const alpha = await provider([{ text: "thinking about it", hang: true }, { text: "still here" }]);
    const root = acpWorkspace({ "answer.ts": SOURCE }, { alpha: alpha.baseURLs.openai });
    const client = await connect(root);
    const { sessionId } = await client.newSession(root);
    const running = client.prompt(sessionId, "think");
    await expect.poll(() => client.textOf(sessionId), { timeout: 5000 }).toContain("thinking");
    await client.agent.notify("session/cancel", { sessionId });
    expect(await running).toEqual({ stopReason: "cancelled" });
    await expect.poll(() => alpha.requests[0]!.aborted).toBe(true);
    // The session goes on.
    expect(await client.prompt(sessionId, "again")).toEqual({ stopReason: "end_turn" });
  });
});

describe("acp: load, list, resume, close", () => {
  const TURNS: ScriptedTurn[] = [
    { text: "Reading it.", toolCalls: [{ id: "r1", name: "read", arguments: { path: "answer.ts" } }] },
    { text: "It is 41." },
  ];

  it("load replays the conversation as session/update; list, resume and close", async () => {
    const alpha = await provider(TURNS);
    const root = acpWorkspace({ "answer.ts": SOURCE }, { alpha: alpha.baseURLs.openai });
    const client = await connect(root);
    const { sessionId } = await client.newSession(root);
    await client.prompt(sessionId, "what is the answer?", [{ type: "resource", resource: { uri: `file://${root}/answer.ts`, text: SOURCE } }]);

    const before = client.updates.length;
    const loaded = await client.agent.request("session/load", { sessionId, cwd: root, mcpServers: [] });
    expect(loaded.modes?.currentModeId).toBe("auto-edit");
    expect(loaded.configOptions?.map((o) => o.id)).toEqual(["mode", "model"]);
    const replay = client.updates.slice(before).filter((n) => n.sessionId === sessionId).map((n) => n.update);
    expect(replay.map((u) => u.sessionUpdate).slice(0, 5)).toEqual(["user_message_chunk", "agent_message_chunk", "tool_call", "tool_call_update", "agent_message_chunk"]);
    expect(replay[0]).toMatchObject({ content: { type: "text", text: "what is the answer?" } }); // the attached context is not echoed
    expect(replay[2]).toMatchObject({ toolCallId: "r1", kind: "read", locations: [{ path: join(root, "answer.ts") }] });
    expect(replay[3]).toMatchObject({ toolCallId: "r1", status: "completed" });
    expect(replay[4]).toMatchObject({ content: { text: "It is 41." } });

    const { sessions } = await client.agent.request("session/list", { cwd: root });
    expect(sessions).toEqual([expect.objectContaining({ sessionId, cwd: root, title: "what is the answer?" })]);
    const resumed = await client.agent.request("session/resume", { sessionId, cwd: root });
    expect(resumed.modes?.currentModeId).toBe("auto-edit");

    await client.agent.request("session/close", { sessionId });
    expect((await client.agent.request("session/list", {})).sessions).toEqual([]);
    await expect(client.prompt(sessionId, "still there?")).rejects.toMatchObject({ code: -32002 });
    await expect(client.agent.request("session/load", { sessionId, cwd: root, mcpServers: [] })).rejects.toMatchObject({ code: -32002 });
  });

  it('with retention "local" another process lists and loads the session', async () => {
    const alpha = await provider(TURNS);
    const root = acpWorkspace({ "answer.ts": SOURCE }, { alpha: alpha.baseURLs.openai }, { retention: "local" });
    const home = mkdtempSync(join(tmpdir(), "acp-home-")); // one user: the same key and state dirs
    const state = { HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_STATE_HOME: join(home, ".local", "state") };
    const first = await connect(root, state);
    const { sessionId } = await first.newSession(root);
    await first.prompt(sessionId, "what is the answer?");
    first.kill();

    const second = await connect(root, state);
    const { sessions } = await second.agent.request("session/list", { cwd: root });
    expect(sessions.map((s) => s.sessionId)).toContain(sessionId);
    await second.agent.request("session/load", { sessionId, cwd: root, mcpServers: [] });
    expect(second.updatesOf(sessionId).map((u) => u.sessionUpdate)).toEqual(expect.arrayContaining(["user_message_chunk", "tool_call", "tool_call_update"]));
    expect(second.textOf(sessionId)).toContain("It is 41.");
    alpha.setTurns([{ text: "Still 41." }]);
    expect(await second.prompt(sessionId, "and now?")).toEqual({ stopReason: "end_turn" });
    expect(JSON.stringify(alpha.requests.at(-1)!.body.messages)).toContain("what is the answer?"); // the history came along
  });
});

describe("acp: session/set_config_option", () => {
  it("the model option lists the usable models; switching sends the next request to the other server", async () => {
    const alpha = await provider([{ text: "from alpha" }]);
    const beta = await provider([{ text: "from beta" }]);
    const root = acpWorkspace({ "answer.ts": SOURCE }, { alpha: alpha.baseURLs.openai, beta: beta.baseURLs.openai });
    const client = await connect(root);
    const { sessionId, configOptions } = await client.newSession(root);
    const model = configOptions!.find((o) => o.id === "model")!;
    const values = model.type === "select" ? (model.options as { value: string }[]).map((o) => o.value) : [];
    expect(values).toEqual(expect.arrayContaining(["alpha/alpha-model", "beta/beta-model"]));
    expect(values.some((v) => v.startsWith("openai/"))).toBe(false); // no key for it: not usable

    await client.prompt(sessionId, "hi");
    const switched = await client.agent.request("session/set_config_option", { sessionId, configId: "model", value: "beta/beta-model" });
    expect(switched.configOptions.find((o) => o.id === "model")?.currentValue).toBe("beta/beta-model");
    await client.prompt(sessionId, "hi again");
    expect(alpha.requests).toHaveLength(1);
    expect(beta.requests).toHaveLength(1);
    expect(beta.requests[0]!.body.model).toBe("beta-model");
    expect(client.textOf(sessionId)).toBe("from alphafrom beta");

    await expect(client.agent.request("session/set_config_option", { sessionId, configId: "model", value: "openai/gpt-4o" })).rejects.toMatchObject({ code: -32602 });
    await expect(client.agent.request("session/set_config_option", { sessionId, configId: "colour", value: "blue" })).rejects.toMatchObject({ code: -32602 });
  });
});

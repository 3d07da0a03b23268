// `opencode-lsp acp` driven by the SDK's own client over stdio, against a scripted model through the
// real openai SDK: initialize, session/new with its modes, options and slash commands, and a prompt
// whose stream arrives as chunks and whose edit arrives as a diff and lands in the client's buffer
// through fs/write_text_file (the unsaved text it read included), never on disk.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acpFixtures, acpWorkspace } from "../../support/acp-client.ts";
import type { ScriptedProvider, ScriptedTurn } from "../../support/providers/scripted-server.ts";

const SOURCE = "export function area(width: number, height: number): number {\n  return width + height;\n}\n";

const fixtures = acpFixtures();

async function start(turns: ScriptedTurn[], config: Record<string, unknown> = {}) {
  const provider = await fixtures.provider(turns);
  const root = acpWorkspace({ "area.ts": SOURCE }, { alpha: provider.baseURLs.openai }, config);
  const client = await fixtures.client(root);
  return { root, client, provider };
}

const messagesOf = (p: ScriptedProvider, i: number) => JSON.stringify(p.requests[i]!.body.messages);

describe("acp: initialize and session/new", () => {
  it("announces protocol 1, its capabilities, and a session's modes, model option and slash commands", async () => {
    const { root, client } = await start([{ text: "ok" }]);
    const init = await client.initialize(); // again: the same answer
    expect(init.protocolVersion).toBe(1);
    expect(init.agentCapabilities).toMatchObject({ loadSession: true, promptCapabilities: { embeddedContext: true }, sessionCapabilities: { list: {}, resume: {}, close: {} } });
    expect(init.agentInfo).toMatchObject({ name: "opencode-lsp" });

    const session = await client.newSession(root);
    expect(session.modes).toEqual({ currentModeId: "auto-edit", availableModes: [expect.objectContaining({ id: "ask" }), expect.objectContaining({ id: "auto-edit" }), expect.objectContaining({ id: "plan" })] });
    const model = session.configOptions!.find((o) => o.id === "model")!;
    expect(model).toMatchObject({ category: "model", type: "select", currentValue: "alpha/alpha-model" });
    await expect.poll(() => client.updatesOf(session.sessionId).find((u) => u.sessionUpdate === "available_commands_update"), { timeout: 5000 }).toBeDefined();
    const commands = client.updatesOf(session.sessionId).find((u) => u.sessionUpdate === "available_commands_update");
    expect(commands?.sessionUpdate === "available_commands_update" && commands.availableCommands.map((c) => c.name)).toEqual(expect.arrayContaining(["fix", "explain", "tests", "docs", "review"]));
  });

  it("refuses a relative cwd and reports an invalid opencode.json, naming the key", async () => {
    const { root, client, provider } = await start([{ text: "ok" }]);
    await expect(client.newSession("relative/dir")).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("absolute path") });
    const bad = acpWorkspace({}, { alpha: provider.baseURLs.openai }, { permissions: { edit: "sometimes" } });
    await expect(client.newSession(bad)).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("permissions.edit") });
    expect((await client.newSession(root)).sessionId).toBeTruthy(); // still serving
  });
});

describe("acp: no model yet", () => {
  it("session/new answers auth_required with the way to set one; after it is set, authenticate and new work", async () => {
    const provider = await fixtures.provider();
    const root = acpWorkspace({}, { alpha: provider.baseURLs.openai });
    const config = JSON.parse(readFileSync(join(root, "opencode.json"), "utf8"));
    writeFileSync(join(root, "opencode.json"), JSON.stringify({ ...config, model: undefined }));
    const client = await fixtures.client(root);
    const init = await client.initialize();
    expect(init.authMethods).toEqual([expect.objectContaining({ id: "opencode-config" })]);
    await expect(client.newSession(root)).rejects.toMatchObject({ code: -32000, message: expect.stringContaining("no model chosen"), data: { authMethods: ["opencode-config"] } });
    writeFileSync(join(root, "opencode.json"), JSON.stringify(config));
    expect(await client.agent.request("authenticate", { methodId: "opencode-config" })).toEqual({});
    await expect(client.agent.request("authenticate", { methodId: "oauth" })).rejects.toMatchObject({ code: -32602 });
    const { sessionId } = await client.newSession(root);
    expect(await client.prompt(sessionId, "hi")).toEqual({ stopReason: "end_turn" });
  });
});

describe("acp: a prompt", () => {
  const FIX: ScriptedTurn[] = [
    {
      reasoning: "the sides are added",
      text: "Let me fix the area.",
      toolCalls: [{ id: "e1", name: "edit", arguments: { path: "area.ts", oldString: "return width + height;", newString: "return width * height;" } }],
      usage: { input: 1200, output: 30 },
    },
    { text: "Fixed: area multiplies.", usage: { input: 1300, output: 8 } },
  ];

  it("streams thoughts and text, shows the edit as a diff, and writes it into the client's buffer", async () => {
    const { root, client, provider } = await start(FIX);
    const path = join(root, "area.ts");
    client.buffers.set(path, `${SOURCE}// unsaved\n`); // the user typed without saving
    const { sessionId } = await client.newSession(root);
    const result = await client.prompt(sessionId, "fix area");
    expect(result).toEqual({ stopReason: "end_turn" });

    const updates = client.updatesOf(sessionId);
    const kinds = updates.map((u) => u.sessionUpdate);
    expect(kinds.filter((k) => k === "agent_message_chunk").length).toBeGreaterThan(3); // streamed, not one block
    expect(kinds).toContain("agent_thought_chunk");
    expect(client.textOf(sessionId)).toBe("Let me fix the area.Fixed: area multiplies.");
    const call = updates.find((u) => u.sessionUpdate === "tool_call");
    expect(call).toMatchObject({ toolCallId: "e1", kind: "edit", status: "in_progress", title: "edit area.ts", locations: [{ path }] });
    const done = updates.find((u) => u.sessionUpdate === "tool_call_update" && u.status === "completed");
    expect(done).toMatchObject({ toolCallId: "e1", content: [{ type: "diff", path, oldText: "return width + height;", newText: "return width * height;" }] });
    expect(kinds.indexOf("tool_call")).toBeLessThan(kinds.lastIndexOf("tool_call_update"));
    expect(updates.find((u) => u.sessionUpdate === "usage_update")).toMatchObject({ used: 1230, size: 100_000, cost: { currency: "USD" } });
    expect(updates.find((u) => u.sessionUpdate === "session_info_update")).toMatchObject({ title: "fix area" });

    // Read through the client (the unsaved line reached the model), written back whole through it.
    expect(client.reads.map((r) => r.path)).toContain(path);
    expect(messagesOf(provider, 1)).toContain("// unsaved");
    expect(client.writes).toEqual([{ sessionId, path, content: `${SOURCE.replace("width + height", "width * height")}// unsaved\n` }]);
    expect(readFileSync(path, "utf8")).toBe(SOURCE); // the disk is the client's to save
    expect(messagesOf(provider, 1)).toContain("Edited area.ts");
  });

  it("a slash command runs its stock task, with the attached selection as context", async () => {
    const { root, client, provider } = await start([{ text: "It multiplies nothing yet." }]);
    const { sessionId } = await client.newSession(root);
    const selection = { type: "resource" as const, resource: { uri: `file://${join(root, "area.ts")}`, text: "return width + height;", mimeType: "text/x-typescript" } };
    await client.prompt(sessionId, "/explain", [selection]);
    const sent = messagesOf(provider, 0);
    expect(sent).toContain("Explain what the attached code does, briefly. Do not change any file.");
    expect(sent).toContain("return width + height;");
  });

  it("the todo tool's list arrives as a plan", async () => {
    const todos = [
      { content: "read area.ts", status: "completed" },
      { content: "fix the operator", status: "in_progress", priority: "high" },
      { content: "an idea dropped", status: "cancelled" },
    ];
    const { root, client } = await start([{ toolCalls: [{ id: "t1", name: "todo", arguments: { todos } }] }, { text: "planned" }]);
    const { sessionId } = await client.newSession(root);
    await client.prompt(sessionId, "plan it");
    const plan = client.updatesOf(sessionId).find((u) => u.sessionUpdate === "plan");
    expect(plan).toEqual({
      sessionUpdate: "plan",
      entries: [
        { content: "read area.ts", status: "completed", priority: "medium" },
        { content: "fix the operator", status: "in_progress", priority: "high" },
      ],
    });
    expect(client.updatesOf(sessionId).find((u) => u.sessionUpdate === "tool_call")).toMatchObject({ kind: "think" });
  });

  it("a model refusal ends the turn with stopReason refusal; a provider error is a JSON-RPC error", async () => {
    const { root, client, provider } = await start([{ text: "I can't help with that.", stopReason: "refusal" }]);
    const { sessionId } = await client.newSession(root);
    expect(await client.prompt(sessionId, "something")).toEqual({ stopReason: "refusal" });
    provider.setTurns([{ status: 401, errorMessage: "bad key" }]);
    await expect(client.prompt(sessionId, "again")).rejects.toMatchObject({ code: -32603, message: expect.stringContaining("bad key") });
    provider.setTurns([{ text: "back" }]);
    expect(await client.prompt(sessionId, "and now")).toEqual({ stopReason: "end_turn" });
  });
});

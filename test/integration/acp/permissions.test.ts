// Permissions over ACP: every "ask" is a session/request_permission about the running tool call;
// a rejection leaves the file untouched and tells the model; "always reject" is not asked again;
// the modes (ask / auto-edit / plan) change what asks, what runs and what is refused.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acpFixtures, acpWorkspace } from "../../support/acp-client.ts";
import type { ScriptedProvider, ScriptedTurn } from "../../support/providers/scripted-server.ts";

const SOURCE = "export const answer = 41;\n";
const EDIT: ScriptedTurn = { toolCalls: [{ id: "e1", name: "edit", arguments: { path: "answer.ts", oldString: "41", newString: "42" } }] };

const fixtures = acpFixtures();

async function start(turns: ScriptedTurn[], permissions: Record<string, unknown>) {
  const provider = await fixtures.provider(turns);
  const root = acpWorkspace({ "answer.ts": SOURCE }, { alpha: provider.baseURLs.openai }, { permissions });
  const client = await fixtures.client(root, { capabilities: {} }); // no fs: edits go to disk, easy to check
  const { sessionId, modes } = await client.newSession(root);
  return { root, client, provider, sessionId, modes, file: join(root, "answer.ts") };
}

const lastMessages = (p: ScriptedProvider) => JSON.stringify(p.requests.at(-1)!.body.messages);

describe("acp: session/request_permission", () => {
  it("asks about the running tool call; reject leaves the file untouched and the model is told", async () => {
    const { client, provider, sessionId, modes, file } = await start([EDIT, { text: "I could not edit." }], { edit: "ask" });
    expect(modes?.currentModeId).toBe("ask");
    // Review before write, ACP's way: the question carries the edit's diff, and the file does not have it while asked.
    let onDiskWhenAsked: string | undefined;
    client.permission = () => {
      onDiskWhenAsked = readFileSync(file, "utf8");
      return "reject_once";
    };
    expect(await client.prompt(sessionId, "make it 42")).toEqual({ stopReason: "end_turn" });
    expect(client.permissionRequests).toHaveLength(1);
    const asked = client.permissionRequests[0]!;
    expect(asked).toMatchObject({ sessionId, toolCall: { toolCallId: "e1", kind: "edit", title: "edit answer.ts" } });
    expect(asked.toolCall.content).toEqual([{ type: "diff", path: file, oldText: "41", newText: "42" }]);
    expect(onDiskWhenAsked).toBe(SOURCE);
    expect(asked.options.map((o) => o.kind)).toEqual(["allow_once", "allow_always", "reject_once", "reject_always"]);
    expect(readFileSync(file, "utf8")).toBe(SOURCE);
    expect(lastMessages(provider)).toContain("The user rejected this edit call");
    expect(client.updatesOf(sessionId).find((u) => u.sessionUpdate === "tool_call_update" && u.toolCallId === "e1")).toMatchObject({ status: "failed" });
  });

  it("allow_always is not asked again; reject_always refuses the same command unasked", async () => {
    const turns = [EDIT, { text: "done" }];
    const { client, provider, sessionId, file } = await start(turns, { edit: "ask" });
    client.permission = () => "allow_always";
    await client.prompt(sessionId, "edit");
    expect(readFileSync(file, "utf8")).toBe("export const answer = 42;\n");
    provider.setTurns([{ toolCalls: [{ id: "e2", name: "edit", arguments: { path: "answer.ts", oldString: "42", newString: "43" } }] }, { text: "done" }]);
    await client.prompt(sessionId, "edit again");
    expect(client.permissionRequests).toHaveLength(1); // remembered
    expect(readFileSync(file, "utf8")).toBe("export const answer = 43;\n");

    const bash = (id: string): ScriptedTurn => ({ toolCalls: [{ id, name: "bash", arguments: { command: "echo hi > out.txt" } }] });
    provider.setTurns([bash("b1"), { text: "refused" }, bash("b2"), { text: "refused again" }]);
    client.permission = () => "reject_always";
    await client.prompt(sessionId, "run it");
    await client.prompt(sessionId, "run it again");
    expect(client.permissionRequests.filter((r) => r.toolCall.kind === "execute")).toHaveLength(1);
    expect(lastMessages(provider)).toContain("The user rejected this bash call");
  });
});

describe("acp: modes", () => {
  it("plan mode refuses edits and commands without asking and tells the model it is planning; auto-edit edits unasked", async () => {
    const { client, provider, sessionId, file } = await start([EDIT, { text: "Here is the plan." }], { edit: "ask", bash: "ask" });
    await client.agent.request("session/set_mode", { sessionId, modeId: "plan" });
    await client.prompt(sessionId, "make it 42");
    expect(client.permissionRequests).toHaveLength(0);
    expect(readFileSync(file, "utf8")).toBe(SOURCE);
    expect(JSON.stringify(provider.requests[0]!.body.messages)).toContain("Plan mode (read-only)");
    expect(lastMessages(provider)).toContain("Permission denied");

    provider.setTurns([EDIT, { text: "done" }]);
    const { configOptions } = await client.agent.request("session/set_config_option", { sessionId, configId: "mode", value: "auto-edit" });
    expect(configOptions.find((o) => o.id === "mode")?.currentValue).toBe("auto-edit");
    await client.prompt(sessionId, "now do it");
    expect(client.permissionRequests).toHaveLength(0);
    expect(readFileSync(file, "utf8")).toBe("export const answer = 42;\n");
    await expect(client.agent.request("session/set_mode", { sessionId, modeId: "yolo" })).rejects.toMatchObject({ code: -32602 });
  });

  it("ask mode asks even when the configuration allows edits", async () => {
    const { client, sessionId, modes, file } = await start([EDIT, { text: "done" }], { edit: "allow" });
    expect(modes?.currentModeId).toBe("auto-edit");
    await client.agent.request("session/set_mode", { sessionId, modeId: "ask" });
    client.permission = () => "allow_once";
    await client.prompt(sessionId, "edit");
    expect(client.permissionRequests).toHaveLength(1);
    expect(readFileSync(file, "utf8")).toBe("export const answer = 42;\n");
  });
});

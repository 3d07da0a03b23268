// The edit path over stdio (issue 20): the built server, a scripted model that edits a file twice,
// and a test client that mishandles workspace/applyEdit the ways real editors do — never reports
// an applied edit, reports it late (eglot's idle timer) and answers late, refuses, errors, closes
// the buffer while an edit is out. Each edit either lands in the buffer (the tool result says so
// only then) or fails: the model gets a failed tool result with the reason, the user a
// window/showMessage, and the turn never hangs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEditorAgent, stopEditorAgents } from "../support/editor-agent.ts";
import type { EditFaults, LspTestClient } from "../support/lsp-client.ts";
import type { ScriptedProvider, ScriptedTurn } from "../support/providers/scripted-server.ts";

const SOURCE = "const width = 1;\nconst height = 2;\n";
const EDIT_BOTH: ScriptedTurn[] = [
  { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "box.ts", oldString: "width = 1", newString: "width = 10" } }] },
  { toolCalls: [{ id: "c2", name: "edit", arguments: { path: "box.ts", oldString: "height = 2", newString: "height = 20" } }] },
  { text: "Done." },
];
const TIMING = { echoTimeoutMs: 300, deliveryTimeoutMs: 1500 };

afterEach(stopEditorAgents);
let provider: ScriptedProvider;

async function start(faults: EditFaults, edits: Record<string, number> = TIMING, turns = EDIT_BOTH) {
  const agent = await startEditorAgent({ turns, files: { "box.ts": SOURCE }, options: { edits } });
  provider = agent.provider;
  const uri = agent.uri("box.ts");
  await agent.client.openBuffer(uri, "typescript", SOURCE);
  agent.client.editFaults = faults;
  return { root: agent.root, uri, client: agent.client };
}

/** Runs the turn; returns its stop reason and the tool results by call id. */
async function runTurn(c: LspTestClient) {
  const { sessionId } = await c.request("opencode/session/new", {});
  const result = await c.request("opencode/session/prompt", { sessionId, prompt: "make the box bigger" });
  const results = new Map<string, { status: string; output: string }>();
  for (const n of c.notifications) if (n.method === "opencode/session/update" && n.params.update.kind === "tool_result") results.set(n.params.update.id, n.params.update);
  return { stopReason: result.stopReason, results };
}

const shown = (c: LspTestClient) => c.notifications.filter((n) => n.method === "window/showMessage").map((n) => n.params.message as string);
/** What the model was told about a tool call, in the request after it. */
const toldModel = (callId: string) => JSON.stringify(provider.requests.at(-1)!.body.messages.find((m: any) => m.role === "tool" && m.tool_call_id === callId));

describe("edits to an open buffer, against a misbehaving editor", () => {
  it("never reports an applied edit: the second edit fails with the reason (not 'Edited'), and the user is told", async () => {
    const { uri, client } = await start({ echo: "never" });
    const { stopReason, results } = await runTurn(client);
    expect(stopReason).toBe("end_turn");
    expect(results.get("c1")).toMatchObject({ status: "completed" });
    expect(results.get("c2")).toMatchObject({ status: "failed", output: expect.stringMatching(/did not reach the editor's buffer: the editor applied an earlier edit without reporting the change/) });
    expect(toldModel("c2")).toMatch(/taken back/);
    expect(client.text(uri)).toBe("const width = 10;\nconst height = 2;\n");
    expect(shown(client).join("\n")).toMatch(/without reporting the change/);
    expect(shown(client).join("\n")).toMatch(/an edit to .*box\.ts was not applied/);
  }, 30_000);

  it("never reports an applied edit, but the user types: the typing resyncs the buffer and the next edits land", async () => {
    // The third edit is of text the user typed: it finds it only if the server read the typing right.
    const third = { toolCalls: [{ id: "c3", name: "edit", arguments: { path: "box.ts", oldString: "10 /* typed */;", newString: "10 /* typed, then edited */;" } }] };
    const { uri, client } = await start({ echo: "never" }, TIMING, [EDIT_BOTH[0]!, EDIT_BOTH[1]!, third, EDIT_BOTH[2]!]);
    client.notificationHooks.push((method, params) => {
      // Once an edit's result is in, the user types (relative to the buffer with the edit): right after the first, at the end after the second.
      if (method !== "opencode/session/update" || params.update.kind !== "tool_result") return;
      if (params.update.id === "c1") void client.typeIn(uri, "const width = 10".length, " /* typed */");
      if (params.update.id === "c2") void client.typeIn(uri, client.text(uri)!.length, "// end\n");
    });
    const { results } = await runTurn(client);
    expect(results.get("c2")).toMatchObject({ status: "completed" });
    expect(results.get("c3")).toMatchObject({ status: "completed" });
    expect(client.text(uri)).toBe("const width = 10 /* typed, then edited */;\nconst height = 20;\n// end\n");
  }, 30_000);

  it("reports late and answers late (eglot): each edit's result comes only once it is in the buffer", async () => {
    const { uri, client } = await start({ echo: 500, answerDelayMs: 200 }, { echoTimeoutMs: 2000, deliveryTimeoutMs: 5000 });
    const bufferAtResult = new Map<string, string>();
    client.notificationHooks.push((method, params) => {
      if (method === "opencode/session/update" && params.update.kind === "tool_result") bufferAtResult.set(params.update.id, client.text(uri)!);
    });
    const { results } = await runTurn(client);
    expect(results.get("c1")?.status).toBe("completed");
    expect(results.get("c2")?.status).toBe("completed");
    expect(bufferAtResult.get("c2")).toBe("const width = 10;\nconst height = 20;\n");
    expect(client.text(uri)).toBe("const width = 10;\nconst height = 20;\n");
  }, 30_000);

  it("refuses with a failureReason: both edits fail with it, nothing changes in the buffer or on disk", async () => {
    const { root, uri, client } = await start({ refuse: "the buffer is read-only" });
    const { stopReason, results } = await runTurn(client);
    expect(stopReason).toBe("end_turn");
    for (const id of ["c1", "c2"]) expect(results.get(id)).toMatchObject({ status: "failed", output: expect.stringContaining("the editor refused it (the buffer is read-only)") });
    expect(client.text(uri)).toBe(SOURCE);
    expect(readFileSync(join(root, "box.ts"), "utf8")).toBe(SOURCE);
    expect(shown(client).some((m) => /read-only/.test(m))).toBe(true);
  }, 30_000);

  it("answers with an error: the edit fails with the error's message", async () => {
    const { uri, client } = await start({ error: "cannot apply: internal error" });
    const { results } = await runTurn(client);
    expect(results.get("c1")).toMatchObject({ status: "failed", output: expect.stringContaining("cannot apply: internal error") });
    expect(client.text(uri)).toBe(SOURCE);
  }, 30_000);

  it("the buffer is closed while an edit is out: the edit is written to the file instead", async () => {
    const { root, uri, client } = await start({ answerDelayMs: 400 });
    client.answers.set("workspace/applyEdit", async (params) => {
      await client.notify("textDocument/didClose", { textDocument: { uri } }); // closed before it answers
      client.buffers.delete(uri);
      return (client as any).applyWorkspaceEdit(params);
    });
    const { results } = await runTurn(client);
    expect(results.get("c1")).toMatchObject({ status: "completed" });
    expect(results.get("c2")).toMatchObject({ status: "completed" });
    expect(readFileSync(join(root, "box.ts"), "utf8")).toBe("const width = 10;\nconst height = 20;\n");
  }, 30_000);
});

// Review before write over stdio (issue 16): the built server, a scripted model that changes two
// places of a file, and a client that announced `review`. The turn leaves the buffer as it was and
// the hunks pending; accepting one applies exactly it in one workspace/applyEdit; rejecting tells
// the model in its next request; the user's typing above a pending hunk survives its acceptance;
// revert takes an accepted hunk back; two files accepted at once are one applyEdit.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startEditorAgent, stopEditorAgents, type EditorAgent } from "../../support/editor-agent.ts";
import { freePort } from "../../support/listening.ts";
import type { LspTestClient } from "../../support/lsp-client.ts";
import type { ScriptedTurn } from "../../support/providers/scripted-server.ts";

const SOURCE = ["const width = 1;", "const depth = 5;", "", "export function area() {", "  return width * depth;", "}", "", "export const height = 2;", ""].join("\n");
const TWO_PLACES: ScriptedTurn[] = [
  { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "box.ts", oldString: "width = 1", newString: "width = 10" } }] },
  { toolCalls: [{ id: "c2", name: "edit", arguments: { path: "box.ts", oldString: "height = 2", newString: "height = 20" } }] },
  { text: "Both changed." },
];

afterEach(stopEditorAgents);

interface Hunk {
  id: string;
  sessionId: string;
  uri: string;
  range: { start: { line: number }; end: { line: number } };
  oldText: string;
  newText: string;
}

async function startReviewing(turns: ScriptedTurn[] = TWO_PLACES, files: Record<string, string> = { "box.ts": SOURCE }, capabilities?: Record<string, unknown>): Promise<EditorAgent> {
  // An editor that shows reviews announces it (the Neovim plugin and opencode.el do); nothing in the config.
  const agent = await startEditorAgent({ turns, files, ...(capabilities ? { capabilities } : {}), options: { capabilities: { sessionUpdates: true, review: true } } });
  for (const [name, text] of Object.entries(files)) await agent.client.openBuffer(agent.uri(name), "typescript", text);
  return agent;
}

async function turn(client: LspTestClient, prompt = "make the box bigger", sessionId?: string) {
  const id = sessionId ?? (await client.request("opencode/session/new", {})).sessionId;
  const result = await client.request("opencode/session/prompt", { sessionId: id, prompt });
  return { sessionId: id as string, stopReason: result.stopReason as string };
}

const list = async (client: LspTestClient, args: Record<string, unknown> = {}) => (await client.request("workspace/executeCommand", { command: "opencode.review.list", arguments: [args] })).hunks as Hunk[];
const run = (client: LspTestClient, command: string, args: Record<string, unknown>) => client.request("workspace/executeCommand", { command, arguments: [args] });
const applyEdits = (client: LspTestClient) => client.serverRequests.filter((r) => r.method === "workspace/applyEdit");
const toolOutput = (client: LspTestClient, id: string) => client.notifications.find((n) => n.method === "opencode/session/update" && n.params.update.kind === "tool_result" && n.params.update.id === id)?.params.update.output as string;

describe("review before write, over stdio", () => {
  it("leaves the buffer as it was after the turn, with both changes pending, shown as hints and a review update", async () => {
    const { client, uri, root } = await startReviewing();
    const { stopReason, sessionId } = await turn(client);
    expect(stopReason).toBe("end_turn");
    expect(client.text(uri("box.ts"))).toBe(SOURCE);
    expect(readFileSync(join(root, "box.ts"), "utf8")).toBe(SOURCE);
    expect(applyEdits(client)).toHaveLength(0);
    const hunks = await list(client);
    expect(hunks.map((h) => [h.range.start.line, h.oldText, h.newText])).toEqual([
      [0, "const width = 1;\n", "const width = 10;\n"],
      [7, "export const height = 2;\n", "export const height = 20;\n"],
    ]);
    expect(hunks.every((h) => h.sessionId === sessionId && h.uri === uri("box.ts"))).toBe(true);
    // The model was told the change waits, and its second edit saw its first (its view of the file).
    expect(toolOutput(client, "c1")).toMatch(/Pending review/);
    // The client was told: the last review update lists both; hints are on both lines.
    const reviews = client.notifications.filter((n) => n.method === "opencode/session/update" && n.params.update.kind === "review");
    expect(reviews.at(-1)!.params.update.files[0].hunks).toHaveLength(2);
    await expect.poll(() => hints(client, uri("box.ts")).map((d) => d.range.start.line)).toEqual([0, 7]);
  }, 30_000);

  it("a client loading the session gets its pending set as it is now", async () => {
    const { client } = await startReviewing();
    const { sessionId } = await turn(client);
    const [first] = await list(client);
    await run(client, "opencode.review.accept", { hunkId: first!.id });
    const before = client.notifications.length;
    await client.request("opencode/session/load", { sessionId });
    const loaded = client.notifications.slice(before).filter((n) => n.method === "opencode/session/update" && n.params.update.kind === "review");
    expect(loaded).toHaveLength(1);
    expect(loaded[0]!.params.update.files[0].hunks.map((h: Hunk) => h.range.start.line)).toEqual([7]);
  }, 30_000);

  it("code actions on a buffer that is not a file (untitled) answer as before, with nothing to review", async () => {
    const { client } = await startReviewing();
    await turn(client);
    await client.openBuffer("untitled:Untitled-1", "typescript", "const x = 1;\n");
    const actions = await client.request("textDocument/codeAction", { textDocument: { uri: "untitled:Untitled-1" }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
    expect(actions.filter((a: { title: string }) => /Accept|Reject/.test(a.title))).toEqual([]);
  }, 30_000);

  it("accepts one of two: exactly that hunk lands, in one workspace/applyEdit; the other stays pending", async () => {
    const { client, uri } = await startReviewing();
    await turn(client);
    const [first, second] = await list(client);
    const actions = await client.request("textDocument/codeAction", { textDocument: { uri: uri("box.ts") }, range: { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } }, context: { diagnostics: [] } });
    const accept = actions.find((a: { title: string }) => a.title === "OpenCode: Accept change");
    expect(accept.command).toEqual({ title: "OpenCode: Accept change", command: "opencode.review.accept", arguments: [{ sessionId: first!.sessionId, uri: uri("box.ts"), hunkId: first!.id }] });
    expect(await client.request("workspace/executeCommand", accept.command)).toEqual({ accepted: 1 });
    expect(applyEdits(client)).toHaveLength(1);
    expect(client.text(uri("box.ts"))).toBe(SOURCE.replace("width = 1", "width = 10"));
    expect((await list(client)).map((h) => h.id)).toEqual([second!.id]);
    // A decided hunk cannot be decided again.
    await expect(run(client, "opencode.review.accept", { hunkId: first!.id })).rejects.toThrow(/no pending change/);
  }, 30_000);

  it("rejects one: the buffer keeps it out, and the model's next request names the rejected change", async () => {
    const turns: ScriptedTurn[] = [...TWO_PLACES, { text: "Understood." }];
    const { client, uri, provider } = await startReviewing(turns);
    const { sessionId } = await turn(client);
    const [, second] = await list(client);
    expect(await run(client, "opencode.review.reject", { sessionId, hunkId: second!.id })).toEqual({ rejected: 1 });
    expect(await run(client, "opencode.review.accept", { sessionId, uri: uri("box.ts") })).toEqual({ accepted: 1 });
    expect(client.text(uri("box.ts"))).toBe(SOURCE.replace("width = 1", "width = 10"));
    expect(await list(client)).toEqual([]);
    await turn(client, "what now?", sessionId);
    const lastUser = JSON.stringify(provider.requests.at(-1)!.body.messages.filter((m: { role: string }) => m.role === "user").at(-1));
    expect(lastUser).toMatch(/rejected your change to box\.ts \(lines 8-8\)/);
    expect(lastUser).toContain("+export const height = 20;");
  }, 30_000);

  it("the user types above a pending hunk, then accepts it: both the typing and the change are kept", async () => {
    const { client, uri } = await startReviewing();
    await turn(client);
    await client.typeIn(uri("box.ts"), 0, "// typed by the user\n");
    await expect.poll(async () => (await list(client))[1]?.range.start.line).toBe(8);
    const hunks = await list(client);
    expect(hunks[0]!.range.start.line).toBe(1);
    expect(await run(client, "opencode.review.accept", { hunkId: hunks[1]!.id })).toEqual({ accepted: 1 });
    expect(client.text(uri("box.ts"))).toBe(`// typed by the user\n${SOURCE.replace("height = 2", "height = 20")}`);
  }, 30_000);

  it("revert after accept takes the accepted change back and drops what is still pending", async () => {
    const { client, uri } = await startReviewing();
    const { sessionId } = await turn(client);
    const [first] = await list(client);
    await run(client, "opencode.review.accept", { hunkId: first!.id });
    expect(client.text(uri("box.ts"))).toBe(SOURCE.replace("width = 1", "width = 10"));
    expect(await run(client, "opencode.session.revert", { sessionId })).toEqual({ reverted: 1 });
    await expect.poll(() => client.text(uri("box.ts"))).toBe(SOURCE);
    expect(await list(client)).toEqual([]);
  }, 30_000);

  it("accepting everything across two files is one workspace/applyEdit with both documents, annotated with the session", async () => {
    const files = { "a.ts": "export const a = 1;\n", "b.ts": "export const b = 2;\n" };
    const turns: ScriptedTurn[] = [
      { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "a.ts", oldString: "a = 1", newString: "a = 11" } }] },
      { toolCalls: [{ id: "c2", name: "edit", arguments: { path: "b.ts", oldString: "b = 2", newString: "b = 22" } }] },
      { text: "Done." },
    ];
    const capabilities = { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } } } };
    const { client, uri } = await startReviewing(turns, files, capabilities);
    const { sessionId } = await client.request("opencode/session/new", { title: "bigger numbers" });
    await turn(client, "make them bigger", sessionId);
    expect(await list(client)).toHaveLength(2);
    expect(await run(client, "opencode.review.accept", { sessionId })).toEqual({ accepted: 2 });
    const sent = applyEdits(client);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params.edit.documentChanges.map((d: { textDocument: { uri: string } }) => d.textDocument.uri).sort()).toEqual([uri("a.ts"), uri("b.ts")]);
    expect(sent[0]!.params.label).toBe('OpenCode: accepted 2 changes of "bigger numbers"');
    expect(sent[0]!.params.edit.changeAnnotations).toEqual({ opencode: { label: 'OpenCode: accepted 2 changes of "bigger numbers"', needsConfirmation: false } });
    expect(sent[0]!.params.edit.documentChanges.flatMap((d: { edits: { annotationId?: string }[] }) => d.edits.map((e) => e.annotationId))).toEqual(["opencode", "opencode"]);
    expect(client.text(uri("a.ts"))).toBe("export const a = 11;\n");
    expect(client.text(uri("b.ts"))).toBe("export const b = 22;\n");
  }, 30_000);

  it("a new file under review is not created until accepted; a closed file's accepted change goes to disk", async () => {
    const turns: ScriptedTurn[] = [
      { toolCalls: [{ id: "c1", name: "write", arguments: { path: "new.ts", content: "export const fresh = true;\n" } }] },
      { toolCalls: [{ id: "c2", name: "edit", arguments: { path: "closed.ts", oldString: "x = 1", newString: "x = 2" } }] },
      { text: "Done." },
    ];
    const { client, root } = await startReviewing(turns, {});
    writeFileSync(join(root, "closed.ts"), "let x = 1;\n");
    await turn(client);
    expect(existsSync(join(root, "new.ts"))).toBe(false);
    expect(readFileSync(join(root, "closed.ts"), "utf8")).toBe("let x = 1;\n");
    expect(toolOutput(client, "c1")).toMatch(/^Proposed to create new\.ts/);
    expect(await run(client, "opencode.review.accept", {})).toEqual({ accepted: 2 });
    expect(readFileSync(join(root, "new.ts"), "utf8")).toBe("export const fresh = true;\n");
    expect(readFileSync(join(root, "closed.ts"), "utf8")).toBe("let x = 2;\n");
  }, 30_000);

  it("each decision is counted (telemetry on): accepted and rejected hunks on /metrics", async () => {
    const home = mkdtempSync(join(tmpdir(), "review-home-"));
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_STATE_HOME: join(home, ".local", "state") };
    const port = await freePort();
    const agent = await startEditorAgent({ turns: TWO_PLACES, files: { "box.ts": SOURCE }, env, options: { capabilities: { sessionUpdates: true, review: true }, telemetry: { enabled: true, port } } });
    await agent.client.openBuffer(agent.uri("box.ts"), "typescript", SOURCE);
    await turn(agent.client);
    const [first, second] = await list(agent.client);
    await run(agent.client, "opencode.review.accept", { hunkId: first!.id });
    await run(agent.client, "opencode.review.reject", { hunkId: second!.id });
    const metric = (outcome: string) => new RegExp(`^opencode_edits_total\\{[^}]*outcome="${outcome}"\\} 1$`, "m");
    await expect.poll(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()), { timeout: 5000 }).toMatch(metric("accepted"));
    expect(await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())).toMatch(metric("rejected"));
  }, 30_000);

  it("a new file whose creation is rejected is new again: a later write proposes to create it, not to overwrite it", async () => {
    const write = (id: string): ScriptedTurn => ({ toolCalls: [{ id, name: "write", arguments: { path: "new.ts", content: "export const fresh = true;\n" } }] });
    const turns: ScriptedTurn[] = [write("c1"), { text: "Proposed." }, write("c2"), { text: "Proposed again." }];
    const { client, root } = await startReviewing(turns, {});
    const { sessionId } = await turn(client);
    expect(await run(client, "opencode.review.reject", { sessionId })).toEqual({ rejected: 1 });
    await turn(client, "try again", sessionId);
    expect(toolOutput(client, "c2")).toMatch(/^Proposed to create new\.ts/);
    expect(existsSync(join(root, "new.ts"))).toBe(false);
  }, 30_000);

  it("without the client's word or config, review is off: edits land at once (today's behaviour)", async () => {
    const agent = await startEditorAgent({ turns: TWO_PLACES, files: { "box.ts": SOURCE } });
    await agent.client.openBuffer(agent.uri("box.ts"), "typescript", SOURCE);
    await turn(agent.client);
    expect(agent.client.text(agent.uri("box.ts"))).toBe(SOURCE.replace("width = 1", "width = 10").replace("height = 2", "height = 20"));
  }, 30_000);

  it('config review "ask" with a path rule "off": only the other file waits', async () => {
    const files = { "a.ts": "export const a = 1;\n", "gen.ts": "export const g = 2;\n" };
    const turns: ScriptedTurn[] = [
      { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "a.ts", oldString: "a = 1", newString: "a = 11" } }] },
      { toolCalls: [{ id: "c2", name: "edit", arguments: { path: "gen.ts", oldString: "g = 2", newString: "g = 22" } }] },
      { text: "Done." },
    ];
    const agent = await startEditorAgent({ turns, files, options: { review: { default: "ask", paths: { "gen.ts": "off" } } } });
    for (const [name, text] of Object.entries(files)) await agent.client.openBuffer(agent.uri(name), "typescript", text);
    await turn(agent.client);
    expect(agent.client.text(agent.uri("a.ts"))).toBe(files["a.ts"]);
    expect(agent.client.text(agent.uri("gen.ts"))).toBe("export const g = 22;\n");
    expect((await list(agent.client)).map((h) => h.uri)).toEqual([agent.uri("a.ts")]);
  }, 30_000);
});

function hints(client: LspTestClient, uri: string): { range: { start: { line: number } }; source: string; code: string }[] {
  const published = client.notifications.filter((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === uri).at(-1);
  return (published?.params.diagnostics ?? []).filter((d: { code?: string }) => d.code === "review");
}

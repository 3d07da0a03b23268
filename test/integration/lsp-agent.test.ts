// The agent in the editor, over stdio against the built server and a scripted model: code actions,
// commands, the custom protocol with its update stream, permissions, progress, cancellation.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ResponseError } from "vscode-jsonrpc/node";
import { LspTestClient } from "../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "../support/providers/scripted-server.ts";

const SOURCE = `export function area(width: number, height: number): number {\n  return width + height;\n}\n`;

let client: LspTestClient | undefined;
let provider: ScriptedProvider | undefined;
afterEach(async () => {
  client?.kill();
  await provider?.close();
  client = undefined;
  provider = undefined;
});

interface Setup {
  turns: ScriptedTurn[];
  capabilities?: Record<string, unknown>;
  features?: Record<string, unknown>;
  permissions?: Record<string, unknown>;
  files?: Record<string, string>;
  options?: Record<string, unknown>;
}

async function start(setup: Setup) {
  provider = await startScriptedProvider({ protocol: "openai", turns: setup.turns });
  const root = mkdtempSync(join(tmpdir(), "lsp-agent-"));
  for (const [name, text] of Object.entries(setup.files ?? { "area.ts": SOURCE })) writeFileSync(join(root, name), text);
  client = new LspTestClient({ cwd: root });
  const result = await client.initialize({
    rootUri: pathToFileURL(root).href,
    capabilities: setup.capabilities ?? { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } }, window: { workDoneProgress: true, showDocument: { support: true } } },
    initializationOptions: {
      model: "scripted/test-model",
      providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } },
      permissions: setup.permissions ?? { edit: "allow", bash: "allow" },
      ...(setup.features ? { capabilities: setup.features } : {}),
      ...setup.options,
    },
  });
  client.initializeResult = result;
  const uri = pathToFileURL(join(root, "area.ts")).href;
  return { root, uri, client };
}

const FIX: ScriptedTurn[] = [
  { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "area.ts", oldString: "return width + height;", newString: "return width * height;" } }] },
  { text: "Fixed: area multiplies." },
];
const diagnostic = { range: { start: { line: 1, character: 2 }, end: { line: 1, character: 24 } }, message: "area is wrong: it adds", severity: 1, source: "test" };

describe("code actions", () => {
  it("lists OpenCode actions by context, cheaply and without a model", async () => {
    const { uri, client } = await start({ turns: [] });
    await client.openBuffer(uri, "typescript", SOURCE + "// @opencode rename width to w\n");
    const onDiagnostic = await client.request("textDocument/codeAction", { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    expect(onDiagnostic.map((a: any) => a.title)).toEqual(expect.arrayContaining(["OpenCode: Fix this diagnostic", "OpenCode: Explain", "OpenCode: Refactor selection", "OpenCode: Write tests", "OpenCode: Add documentation"]));
    expect(onDiagnostic.find((a: any) => a.title === "OpenCode: Fix this diagnostic").kind).toBe("quickfix");
    const onComment = await client.request("textDocument/codeAction", { textDocument: { uri }, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, context: { diagnostics: [] } });
    expect(onComment.map((a: any) => a.title)).toEqual(["OpenCode: Run instruction in comment"]);
    expect(provider!.requests).toHaveLength(0);
    // Without resolve support, each action carries the command that runs it.
    expect(onComment[0].command.command).toBe("opencode.codeAction.run");
  });

  it("Fix this diagnostic: resolves at once; its command runs the agent and the fix arrives as workspace/applyEdit", async () => {
    const { uri, client } = await start({
      turns: FIX,
      capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } }, textDocument: { codeAction: { resolveSupport: { properties: ["edit", "command"] } } } },
    });
    await client.openBuffer(uri, "typescript", SOURCE);
    const [action] = await client.request("textDocument/codeAction", { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic], only: ["quickfix"] } });
    const resolved = await client.request("codeAction/resolve", action);
    expect(resolved).toEqual(action); // nothing runs inside the resolve: editors may wait on it
    expect(provider!.requests).toHaveLength(0);
    await client.request("workspace/executeCommand", resolved.command);
    await expect.poll(() => client.text(uri)).toBe(SOURCE.replace("width + height", "width * height"));
    expect(client.appliedEdits[0].documentChanges[0].textDocument).toEqual({ uri, version: 1 });
    const prompt = JSON.stringify(provider!.requests[0]!.body.messages);
    expect(prompt).toContain("area is wrong: it adds");
  });

  it("Run instruction in comment: the comment line goes and the instruction is carried out", async () => {
    const text = "// @opencode make area multiply\n" + SOURCE;
    const { uri, client } = await start({ turns: FIX, files: { "area.ts": text } });
    await client.openBuffer(uri, "typescript", text);
    const [action] = await client.request("textDocument/codeAction", { textDocument: { uri }, range: { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } }, context: { diagnostics: [] } });
    await client.request("workspace/executeCommand", action.command);
    await expect.poll(() => client.text(uri)).toBe(SOURCE.replace("width + height", "width * height"));
    expect(JSON.stringify(provider!.requests[0]!.body.messages)).toContain("make area multiply");
  });

  it("Explain shows the answer and changes nothing", async () => {
    const { uri, client } = await start({ turns: [{ text: "It adds the two sides." }] });
    await client.openBuffer(uri, "typescript", SOURCE);
    const actions = await client.request("textDocument/codeAction", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } }, context: { diagnostics: [] } });
    const explain = actions.find((a: any) => a.title === "OpenCode: Explain");
    await client.request("workspace/executeCommand", explain.command);
    const shown = await client.waitForNotification("window/showMessage", (p) => p.message.includes("It adds the two sides."));
    expect(shown.type).toBe(3);
    expect(client.text(uri)).toBe(SOURCE);
  });
});

describe("selection actions", () => {
  it.each([
    ["OpenCode: Refactor selection", "Refactor the selected code", "  return width * height; // refactored\n"],
    ["OpenCode: Write tests", "Write tests for the selected code", "  return width * height; // tested\n"],
    ["OpenCode: Add documentation", "Add documentation comments", "  /** the area */\n  return width * height;\n"],
  ])("%s runs its prompt and its edit arrives as workspace/applyEdit", async (title, wording, newLine) => {
    const turns: ScriptedTurn[] = [
      { toolCalls: [{ id: "e1", name: "edit", arguments: { path: "area.ts", oldString: "  return width + height;\n", newString: newLine } }] },
      { text: "Done." },
    ];
    const { uri, client } = await start({ turns });
    await client.openBuffer(uri, "typescript", SOURCE);
    const actions = await client.request("textDocument/codeAction", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } }, context: { diagnostics: [] } });
    const action = actions.find((a: any) => a.title === title);
    expect(action?.kind).toBe("refactor.rewrite");
    await client.request("workspace/executeCommand", action.command);
    await expect.poll(() => client.text(uri)).toBe(SOURCE.replace("  return width + height;\n", newLine));
    const prompt = JSON.stringify(provider!.requests[0]!.body.messages);
    expect(prompt).toContain(wording);
    expect(prompt).toContain("export function area(width: number, height: number)"); // the selection
  });
});

describe("commands", () => {
  it("opencode.ask, session list/revert/end/open, model.select", async () => {
    const { uri, root, client } = await start({ turns: FIX });
    await client.openBuffer(uri, "typescript", SOURCE);
    const answer = await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "fix area", uri }] });
    expect(answer.text).toBe("Fixed: area multiplies.");
    await expect.poll(() => client.text(uri)).toContain("width * height");

    const list = await client.request("workspace/executeCommand", { command: "opencode.session.list" });
    expect(list).toEqual([expect.objectContaining({ sessionId: answer.sessionId, title: "fix area", model: "scripted/test-model", messages: 4 })]);

    await client.typeIn(uri, 0, "// mine\n");
    await client.request("workspace/executeCommand", { command: "opencode.session.revert", arguments: [{ sessionId: answer.sessionId }] });
    await expect.poll(() => client.text(uri)).toBe("// mine\n" + SOURCE);

    const opened = await client.request("workspace/executeCommand", { command: "opencode.session.open", arguments: [{ sessionId: answer.sessionId }] });
    const shown = client.serverRequests.find((r) => r.method === "window/showDocument");
    expect(shown?.params.uri).toBe(opened.uri);
    expect(readFileSync(new URL(opened.uri), "utf8")).toContain("fix area");

    await client.request("workspace/executeCommand", { command: "opencode.session.end", arguments: [{ sessionId: answer.sessionId }] });
    expect(await client.request("workspace/executeCommand", { command: "opencode.session.list" })).toEqual([]);
    expect(existsSync(new URL(opened.uri))).toBe(false); // the transcript file went with the session

    await expect(client.request("workspace/executeCommand", { command: "opencode.model.select", arguments: [{ model: "nope/x" }] })).rejects.toMatchObject({ message: expect.stringContaining("unknown provider") });
    await client.request("workspace/executeCommand", { command: "opencode.model.select", arguments: [{ model: "scripted/other-model" }] });
    const { sessionId } = await client.request("workspace/executeCommand", { command: "opencode.session.new", arguments: [{}] });
    expect((await client.request("workspace/executeCommand", { command: "opencode.session.list" }))[0]).toMatchObject({ sessionId, model: "scripted/other-model" });
    expect(readFileSync(join(root, "area.ts"), "utf8")).toBe(SOURCE); // the buffer was edited, not the disk
  });

  it("opencode.session.cancel stops a running turn and closes the model stream", async () => {
    const { client } = await start({ turns: [{ text: "thinking", hang: true }] });
    const { sessionId } = await client.request("workspace/executeCommand", { command: "opencode.session.new", arguments: [{}] });
    const running = client.request("opencode/session/prompt", { sessionId, prompt: "go" });
    await expect.poll(() => provider!.requests.length).toBe(1);
    await client.request("workspace/executeCommand", { command: "opencode.session.cancel", arguments: [{ sessionId }] });
    expect(await running).toEqual({ stopReason: "cancelled" });
    await expect.poll(() => provider!.requests[0]!.aborted).toBe(true);
  });

  it("rejects bad arguments with InvalidParams and lists every command", async () => {
    const { client } = await start({ turns: [] });
    await expect(client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{}] })).rejects.toMatchObject({ code: -32602 });
    await expect(client.request("workspace/executeCommand", { command: "opencode.nope", arguments: [] })).rejects.toMatchObject({ code: -32602 });
  });
});

describe("custom protocol", () => {
  it("streams session updates and answers with the stop reason", async () => {
    const { uri, client } = await start({ turns: [{ ...FIX[0]!, usage: { input: 100, output: 5 } }, FIX[1]!] });
    await client.openBuffer(uri, "typescript", SOURCE);
    const { sessionId } = await client.request("opencode/session/new", { title: "mine" });
    const result = await client.request("opencode/session/prompt", { sessionId, prompt: "fix it", context: [{ uri, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } } }] });
    expect(result).toEqual({ stopReason: "end_turn" });
    const kinds = client.notifications.filter((n) => n.method === "opencode/session/update" && n.params.sessionId === sessionId).map((n) => n.params.update.kind);
    expect(kinds).toEqual(expect.arrayContaining(["tool_call", "tool_result", "edit", "usage", "message_chunk"]));
    const edit = client.notifications.find((n) => n.params?.update?.kind === "edit")!.params.update;
    expect(edit).toEqual({ kind: "edit", uri, edits: [{ range: { start: { line: 1, character: 15 }, end: { line: 1, character: 16 } }, newText: "*" }] });
    expect(JSON.stringify(provider!.requests[0]!.body.messages)).toContain("return width + height;"); // the context
    const before = client.notifications.length;
    const loaded = await client.request("opencode/session/load", { sessionId });
    expect(loaded.messages).toBe(4);
    // The replay joins consecutive text chunks.
    const joined = kinds.filter((k: string, i: number) => !(k === "message_chunk" && kinds[i - 1] === "message_chunk"));
    expect(client.notifications.slice(before).map((n) => n.params.update.kind)).toEqual(joined);
    expect((await client.request("opencode/models")).length).toBeGreaterThanOrEqual(75);
  });

  it("asks permission through opencode/session/requestPermission: accepted and rejected", async () => {
    const { uri, client } = await start({ turns: [FIX[0]!, { text: "done" }, FIX[0]!, { text: "done" }], permissions: { edit: "ask" }, features: { permissionRequests: true } });
    await client.openBuffer(uri, "typescript", SOURCE);
    let outcome = "reject";
    client.answers.set("opencode/session/requestPermission", () => ({ outcome }));
    const { sessionId } = await client.request("opencode/session/new", {});
    await client.request("opencode/session/prompt", { sessionId, prompt: "fix" });
    const asked = client.serverRequests.find((r) => r.method === "opencode/session/requestPermission");
    expect(asked?.params).toMatchObject({ sessionId, tool: "edit", title: expect.stringContaining("area.ts") });
    expect(client.text(uri)).toBe(SOURCE);
    outcome = "allow_once";
    await client.request("opencode/session/prompt", { sessionId, prompt: "fix, please" });
    await expect.poll(() => client.text(uri)).toContain("width * height");
  });

  it("tells the user how to allow a tool when the editor cannot show a prompt at all", async () => {
    const { uri, client } = await start({ turns: [FIX[0]!, { text: "could not edit" }], permissions: { edit: "ask" } });
    await client.openBuffer(uri, "typescript", SOURCE);
    client.answers.set("window/showMessageRequest", () => {
      throw new ResponseError(-32601, "Method not found");
    });
    await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "fix" }] });
    const told = await client.waitForNotification("window/showMessage", (p) => /cannot show a permission prompt/.test(p.message));
    expect(told.message).toContain('"edit": "allow"');
    expect(client.text(uri)).toBe(SOURCE);
  });

  it("falls back to window/showMessageRequest for clients without permissionRequests", async () => {
    const { uri, client } = await start({ turns: FIX, permissions: { edit: "ask" } });
    await client.openBuffer(uri, "typescript", SOURCE);
    client.answers.set("window/showMessageRequest", (p) => p.actions.find((a: any) => a.title === "Allow once"));
    const { sessionId } = await client.request("opencode/session/new", {});
    await client.request("opencode/session/prompt", { sessionId, prompt: "fix" });
    expect(client.serverRequests.find((r) => r.method === "window/showMessageRequest")?.params.message).toMatch(/OpenCode wants to .*area\.ts/);
    await expect.poll(() => client.text(uri)).toContain("width * height");
  });

  it("reports progress begin/report/end around a turn", async () => {
    const { uri, client } = await start({ turns: FIX });
    await client.openBuffer(uri, "typescript", SOURCE);
    const { sessionId } = await client.request("opencode/session/new", { title: "Progress" });
    await client.request("opencode/session/prompt", { sessionId, prompt: "fix" });
    const created = client.serverRequests.find((r) => r.method === "window/workDoneProgress/create");
    expect(created).toBeDefined();
    const progress = client.notifications.filter((n) => n.method === "$/progress" && n.params.token === created!.params.token).map((n) => n.params.value);
    expect(progress[0]).toMatchObject({ kind: "begin", title: "Progress", cancellable: true });
    expect(progress.some((p) => p.kind === "report" && /edit/.test(p.message))).toBe(true);
    expect(progress.at(-1)).toMatchObject({ kind: "end" });
  });

  it("cancels a turn with $/cancelRequest and with progress cancel; the model stream is closed", async () => {
    const { uri, client } = await start({ turns: [{ text: "thinking", hang: true }] });
    await client.openBuffer(uri, "typescript", SOURCE);
    const { sessionId } = await client.request("opencode/session/new", {});
    const { CancellationTokenSource } = await import("vscode-jsonrpc/node");
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest("opencode/session/prompt", { sessionId, prompt: "go" }, source.token);
    await expect.poll(() => provider!.requests.length).toBe(1);
    source.cancel();
    expect(await pending).toEqual({ stopReason: "cancelled" });
    await expect.poll(() => provider!.requests[0]!.aborted).toBe(true);

    const second = client.request("opencode/session/prompt", { sessionId, prompt: "again" });
    await expect.poll(() => provider!.requests.length).toBe(2);
    const token = client.serverRequests.filter((r) => r.method === "window/workDoneProgress/create").at(-1)!.params.token;
    await client.notify("window/workDoneProgress/cancel", { token });
    expect(await second).toEqual({ stopReason: "cancelled" });
    await expect.poll(() => provider!.requests[1]!.aborted).toBe(true);
  });
});

describe("clients without capabilities", () => {
  it("without workspace/applyEdit the change is written to disk and the user is told", async () => {
    const { uri, root, client } = await start({ turns: FIX, capabilities: {} });
    await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text: SOURCE } });
    const answer = await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "fix" }] });
    expect(answer.text).toContain("Fixed");
    expect(readFileSync(join(root, "area.ts"), "utf8")).toContain("width * height");
    const notice = await client.waitForNotification("window/showMessage", (p) => /cannot apply edits/.test(p.message));
    expect(notice.type).toBe(2);
  });
});

describe("inline completion", () => {
  const at = (uri: string) => ({ textDocument: { uri }, position: { line: 1, character: 15 } });

  it("completes at the cursor, debounced, superseded by the next request, repeated from the cache", async () => {
    const { uri, client } = await start({ turns: [{ text: "* height;" }], options: { completion: { enabled: true, debounceMs: 80 } } });
    expect(client.initializeResult.capabilities.inlineCompletionProvider).toBeDefined();
    await client.openBuffer(uri, "typescript", SOURCE.replace("width + height;", "width "));
    const first = client.request("textDocument/inlineCompletion", { ...at(uri), context: { triggerKind: 2 } });
    const second = client.request("textDocument/inlineCompletion", { ...at(uri), context: { triggerKind: 2 } });
    expect((await first).items).toEqual([]); // superseded within the debounce
    expect((await second).items).toEqual([{ insertText: "* height;", range: { start: at(uri).position, end: at(uri).position } }]);
    expect(provider!.requests).toHaveLength(1);
    const sent = JSON.stringify(provider!.requests[0]!.body);
    expect(sent).toContain("<prefix>export function area");
    expect(sent).toContain("</prefix><suffix>");

    const again = await client.request("textDocument/inlineCompletion", { ...at(uri), context: { triggerKind: 2 } });
    expect(again.items[0].insertText).toBe("* height;");
    expect(provider!.requests).toHaveLength(1); // from the completion cache
    const health = await client.request("opencode/health");
    expect(health.agent.providers.cache.hits).toBeGreaterThanOrEqual(1);
  });

  it("offers the completion as a completion item for clients without inline completion", async () => {
    const { uri, client } = await start({ turns: [{ text: "* height;" }], options: { completion: { enabled: true, debounceMs: 0 } } });
    await client.openBuffer(uri, "typescript", SOURCE.replace("width + height;", "width "));
    const list = await client.request("textDocument/completion", at(uri));
    expect(list.items[0]).toMatchObject({ insertText: "* height;", detail: "OpenCode" });
  });

  it("is off by default: nothing advertised, no model request", async () => {
    const { uri, client } = await start({ turns: [{ text: "x" }] });
    expect(client.initializeResult.capabilities.inlineCompletionProvider).toBeUndefined();
    await client.openBuffer(uri, "typescript", SOURCE);
    expect((await client.request("textDocument/inlineCompletion", at(uri))).items).toEqual([]);
    expect(provider!.requests).toHaveLength(0);
  });
});

describe("share links", () => {
  it("shares a session as a link, views it in the terminal, and imports it to continue", async () => {
    const { uri, client } = await start({ turns: [...FIX, { text: "Continuing from the shared history." }] });
    await client.openBuffer(uri, "typescript", SOURCE);
    const asked = await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "fix area, key sk-abcdefghijklmnopqrstuvwx" }] });
    const shared = await client.request("workspace/executeCommand", { command: "opencode.session.share", arguments: [{ sessionId: asked.sessionId }] });
    expect(shared.url).toMatch(/#v1\.[\w-]+\.[0-9a-f]{16}~/);
    expect(shared.url).not.toContain("abcdefghijklmnop");
    expect(Object.values(shared.redactions).reduce((a: number, b: any) => a + b, 0)).toBeGreaterThanOrEqual(1);

    const { runCli } = await import("../support/agent-workspace.ts");
    const viewed = await runCli(["share", "view", shared.url], process.cwd());
    expect(viewed.code).toBe(0);
    expect(viewed.stdout).toContain("Fixed: area multiplies.");
    const tampered = await runCli(["share", "view", shared.url.replace(/\.([\w-]{10})/, ".AAAAAAAAAA")], process.cwd());
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/opencode-lsp: /);

    const imported = await client.request("workspace/executeCommand", { command: "opencode.session.import", arguments: [{ url: shared.url }] });
    expect(imported.sessionId).not.toBe(asked.sessionId);
    const next = await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "and now?", sessionId: imported.sessionId }] });
    expect(next.text).toBe("Continuing from the shared history.");
    const sent = JSON.stringify(provider!.requests.at(-1)!.body.messages);
    expect(sent).toContain("Fixed: area multiplies."); // the peer continues from the exact history
    expect(sent).toContain("and now?");
  });
});

describe("telemetry", () => {
  it("is off by default and, when enabled, counts turns and tokens on 127.0.0.1 without any content", async () => {
    const { createServer } = await import("node:net");
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const { uri, client } = await start({ turns: [{ text: "counted", usage: { input: 120, output: 7 } }], options: { telemetry: { enabled: true, port } } });
    await client.openBuffer(uri, "typescript", SOURCE);
    await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "a secret prompt" }] });
    let metrics = "";
    const scrape = async () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), (e) => String(e) + client.stderr.slice(-500));
    await expect.poll(async () => (metrics = await scrape()), { timeout: 5000 }).toMatch(/opencode_turns_total\{provider="scripted",model="test-model",[^}]*\} 1/);
    expect(metrics).toMatch(/opencode_tokens_total\{provider="scripted",[^}]*,direction="input"\} 120/);
    expect(metrics).toMatch(/opencode_sessions_total\{provider="scripted",[^}]*\} 1/);
    expect(metrics).not.toContain("secret");
  });
});

describe("audit log", () => {
  it("records a write outside the open files and a share link, in a chain that verifies", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "audit-")), "audit.jsonl");
    const { client } = await start({ turns: FIX, options: { audit: { enabled: true, file } } });
    const asked = await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "fix area" }] });
    await client.request("workspace/executeCommand", { command: "opencode.session.share", arguments: [{ sessionId: asked.sessionId }] });
    await expect.poll(() => readFileSync(file, "utf8")).toContain('"share.created"');
    const events = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l).event);
    expect(events).toEqual(expect.arrayContaining(["file.written_outside_open_set", "share.created", "provider.contacted"]));
    const { runCli } = await import("../support/agent-workspace.ts");
    const verified = await runCli(["audit", "verify", "--file", file], process.cwd());
    expect(verified.code).toBe(0);
  });
});

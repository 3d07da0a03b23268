// Two machines (two opencode-lsp processes, two workspace folders) and one `sync serve` on
// 127.0.0.1: a session made on A shows on B with its transcript stream; the agent's edit reaches
// B's open buffer; B's typing reaches A's; revert on B removes A's agent edit on both; turns from
// both sides run one at a time, each on the machine that took it.
import { afterEach, describe, expect, it } from "vitest";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";
import { AREA, startMachine, startSyncServe, until, type Machine, type SyncServe } from "../../support/sync.ts";

let provider: ScriptedProvider | undefined;
let server: SyncServe | undefined;
const machines: Machine[] = [];
afterEach(async () => {
  for (const m of machines.splice(0)) m.client.kill();
  await server?.stop();
  await provider?.close();
});

const FIX = [
  { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "area.ts", oldString: "return width + height;", newString: "return width * height;" } }] },
  { text: "Fixed: area multiplies." },
];

describe("sync: two machines, one session", () => {
  it("B lists A's session, streams its turn, gets the edit in its buffer; B types, A sees it; revert on B undoes A's edit on both", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: FIX });
    server = await startSyncServe();
    const a = await startMachine("a", { url: server.url, provider });
    const b = await startMachine("b", { url: server.url, provider });
    machines.push(a, b);
    await a.client.openBuffer(a.uri("area.ts"), "typescript", AREA);
    await b.client.openBuffer(b.uri("area.ts"), "typescript", AREA);

    const { sessionId } = await a.client.request("opencode/session/new", { title: "fix area" });
    const listed = await until("B lists A's session", async () => ((await b.client.request("opencode/session/list")) as any[]).find((s) => s.sessionId === sessionId));
    expect(listed).toMatchObject({ title: "fix area", model: "scripted/test-model" });

    const result = await a.client.request("opencode/session/prompt", { sessionId, prompt: "fix area" });
    expect(result.stopReason).toBe("end_turn");
    const fixed = AREA.replace("width + height", "width * height");
    await until("A's buffer has the edit", () => a.client.text(a.uri("area.ts")) === fixed);

    // B saw the turn as it streamed, with the edit naming B's own file.
    const text = await until("B's stream has the answer", () => {
      const chunks = b.client.notifications.filter((n) => n.method === "opencode/session/update" && n.params.sessionId === sessionId && n.params.update.kind === "message_chunk");
      const joined = chunks.map((n) => n.params.update.text).join("");
      return joined.includes("Fixed: area multiplies.") && joined;
    });
    expect(text).toBe("Fixed: area multiplies.");
    const edit = b.client.notifications.find((n) => n.method === "opencode/session/update" && n.params.update.kind === "edit");
    expect(edit?.params.update.uri).toBe(b.uri("area.ts"));
    await until("B's buffer has A's agent edit", () => b.client.text(b.uri("area.ts")) === fixed);
    expect(b.client.appliedEdits.length).toBeGreaterThan(0);
    // The transcript came along: B's copy counts the same messages.
    await until("B's copy has the transcript", async () => ((await b.client.request("opencode/session/list")) as any[]).find((s) => s.sessionId === sessionId)?.messages === 4);

    await b.client.typeIn(b.uri("area.ts"), 0, "// from B\n");
    await until("A sees B's typing", () => a.client.text(a.uri("area.ts")) === `// from B\n${fixed}`);

    const reverted = await b.client.request("workspace/executeCommand", { command: "opencode.session.revert", arguments: [{ sessionId }] });
    expect(reverted.reverted).toBe(1);
    await until("A's agent edit is gone on A", () => a.client.text(a.uri("area.ts")) === `// from B\n${AREA}`);
    await until("and on B", () => b.client.text(b.uri("area.ts")) === `// from B\n${AREA}`);

    const health = await a.health();
    expect(health).toMatchObject({ enabled: true, state: "connected", room: "team", sessions: 1, files: 1 });
    await until("A has nothing pending", async () => (await a.health()).pendingUpdates === 0);
    expect(Date.parse((await a.health()).lastSync)).toBeGreaterThan(0);
  }, 60_000);

  it("both machines prompt one session at once: the turns run one after the other, each where it was taken, the second continuing the first's transcript", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "one two three four five", chunkDelayMs: 80 }, { text: "second answer" }] });
    server = await startSyncServe();
    const a = await startMachine("a", { url: server.url, provider });
    const b = await startMachine("b", { url: server.url, provider });
    machines.push(a, b);
    const { sessionId } = await a.client.request("opencode/session/new", { title: "shared" });
    await until("B has the session", async () => ((await b.client.request("opencode/session/list")) as any[]).some((s) => s.sessionId === sessionId));

    let overlapped: boolean | undefined;
    const watch = setInterval(() => {
      if (overlapped === undefined && provider!.requests.length === 2) overlapped = !provider!.requests[0]!.finished;
    }, 5);
    const [ra, rb] = await Promise.all([
      a.client.request("opencode/session/prompt", { sessionId, prompt: "prompt from A" }),
      b.client.request("opencode/session/prompt", { sessionId, prompt: "prompt from B" }),
    ]);
    clearInterval(watch);
    expect([ra.stopReason, rb.stopReason]).toEqual(["end_turn", "end_turn"]);
    expect(provider.requests).toHaveLength(2);
    expect(overlapped).toBe(false);
    const keys = provider.requests.map((r) => r.headers.authorization);
    expect(new Set(keys)).toEqual(new Set(["Bearer key-a", "Bearer key-b"]));
    // The second turn (on whichever machine took it) was sent the first turn's exchange.
    const [first, second] = provider.requests.map((r) => JSON.stringify(r.body.messages));
    const firstPrompt = first!.includes("prompt from A") ? "prompt from A" : "prompt from B";
    expect(second).toContain(firstPrompt);
    expect(second).toContain("one two three four five");
    // Both copies end with the whole transcript: two prompts, two answers.
    for (const m of [a, b]) await until(`${m.name} has 4 messages`, async () => ((await m.client.request("opencode/session/list")) as any[])[0]?.messages === 4);
  }, 60_000);
});

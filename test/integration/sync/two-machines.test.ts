// Two machines (two opencode-lsp processes, two workspace folders) and `sync serve` on 127.0.0.1 —
// one server, or two servers on one real redis-server with A on the first and B on the second: a
// session made on A shows on B with its transcript stream; the agent's edit reaches B's open
// buffer; B's typing reaches A's; revert on B removes A's agent edit on both; turns from both
// sides run one at a time, each on the machine that took it; ending it on B ends it on A.
import { afterEach, describe, expect, it } from "vitest";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";
import { AREA, startMachine, startRedis, startSyncServe, until, type Machine } from "../../support/sync.ts";

let provider: ScriptedProvider | undefined;
let stopServers: (() => Promise<void>) | undefined;
const machines: Machine[] = [];
afterEach(async () => {
  for (const m of machines.splice(0)) m.client.kill();
  await stopServers?.();
  await provider?.close();
});

/** Where A and B connect. */
type Topology = () => Promise<{ a: string; b: string; stop(): Promise<void> }>;
const topologies: [string, Topology][] = [
  [
    "one server",
    async () => {
      const server = await startSyncServe();
      return { a: server.url, b: server.url, stop: () => server.stop() };
    },
  ],
  [
    "two servers on one Redis",
    async () => {
      const redis = await startRedis();
      const [one, two] = await Promise.all([startSyncServe({ args: ["--redis", redis.url] }), startSyncServe({ args: ["--redis", redis.url] })]);
      return {
        a: one.url,
        b: two.url,
        stop: async () => {
          await Promise.all([one.stop(), two.stop()]);
          await redis.stop();
        },
      };
    },
  ],
];

async function twoMachines(topology: Topology): Promise<[Machine, Machine]> {
  const servers = await topology();
  stopServers = servers.stop;
  const a = await startMachine("a", { url: servers.a, provider: provider! });
  const b = await startMachine("b", { url: servers.b, provider: provider! });
  machines.push(a, b);
  return [a, b];
}

const FIX = [
  { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "area.ts", oldString: "return width + height;", newString: "return width * height;" } }] },
  { text: "Fixed: area multiplies." },
];

describe.each(topologies)("sync: two machines, one session (%s)", (_name, topology) => {
  it("B lists A's session, streams its turn, gets the edit in its buffer; B types, A sees it; revert on B undoes A's edit on both", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: FIX });
    const [a, b] = await twoMachines(topology);
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
    expect(health).toMatchObject({ enabled: true, state: "connected", room: "team", sessions: 1, files: 1, peers: 1 });
    await until("A has nothing pending", async () => (await a.health()).pendingUpdates === 0);
    expect(Date.parse((await a.health()).lastSync)).toBeGreaterThan(0);

    // Ending it on B ends it for the team: gone from A's list too, and from the room.
    await b.client.request("opencode/session/end", { sessionId });
    await until("A's copy ended", async () => ((await a.client.request("opencode/session/list")) as any[]).length === 0);
    expect((await a.health()).sessions).toBe(0);
  }, 60_000);

  it("both machines prompt one session at once: the turns run one after the other, each where it was taken, the second continuing the first's transcript", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "one two three four five", chunkDelayMs: 80 }, { text: "second answer" }] });
    const [a, b] = await twoMachines(topology);
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

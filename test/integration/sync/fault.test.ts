// A TCP relay between machine A and the sync server, cut and restored while both machines type
// into the shared file (bounded steps, 127.0.0.1 only). A keeps working offline; after the link is
// back both buffers are identical and hold every edit made on either side — for every sequence of
// cut points fast-check tries.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";
import { AREA, startMachine, startRelay, startSyncServe, until, type Machine, type SyncServe } from "../../support/sync.ts";

let provider: ScriptedProvider;
let server: SyncServe;
let relay: Awaited<ReturnType<typeof startRelay>>;
let a: Machine;
let b: Machine;
let sessionId: string;

beforeAll(async () => {
  provider = await startScriptedProvider({
    protocol: "openai",
    turns: [{ toolCalls: [{ id: "c1", name: "edit", arguments: { path: "area.ts", oldString: "width + height", newString: "width * height" } }] }, { text: "Done." }],
  });
  server = await startSyncServe();
  relay = await startRelay(server.port);
  a = await startMachine("a", { url: relay.url, provider });
  b = await startMachine("b", { url: server.url, provider });
  await a.client.openBuffer(a.uri("area.ts"), "typescript", AREA);
  await b.client.openBuffer(b.uri("area.ts"), "typescript", AREA);
  // The file becomes shared by the session's edit.
  ({ sessionId } = await a.client.request("opencode/session/new", { title: "fault" }));
  expect((await a.client.request("opencode/session/prompt", { sessionId, prompt: "multiply" })).stopReason).toBe("end_turn");
  await until("B has the edit", () => b.client.text(b.uri("area.ts"))?.includes("width * height"));
}, 60_000);

afterAll(async () => {
  a?.client.kill();
  b?.client.kill();
  await relay?.close();
  await server?.stop();
  await provider?.close();
});

const step = fc.record({
  side: fc.constantFrom("a", "b"),
  atEnd: fc.boolean(),
  /** What happens to A's link before this edit. */
  link: fc.constantFrom("keep", "keep", "cut", "restore"),
  pauseMs: fc.integer({ min: 0, max: 120 }),
});

describe("sync: a dropped link", () => {
  it("merges offline edits on reconnect: both sides identical, every edit kept", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        run++;
        const markers: string[] = [];
        for (const [i, s] of steps.entries()) {
          if (s.link === "cut") relay.cut();
          if (s.link === "restore") relay.restore();
          const machine = s.side === "a" ? a : b;
          const uri = machine.uri("area.ts");
          const marker = `/*${s.side}${run}.${i}*/`;
          markers.push(marker);
          const text = machine.client.text(uri)!;
          await machine.client.typeIn(uri, s.atEnd ? text.length : 0, s.atEnd ? `${marker}\n` : `${marker}\n`);
          await new Promise((r) => setTimeout(r, s.pauseMs));
        }
        relay.restore();
        const merged = await until(
          "both buffers identical with every edit",
          () => {
            const ta = a.client.text(a.uri("area.ts"))!;
            const tb = b.client.text(b.uri("area.ts"))!;
            return ta === tb && markers.every((m) => ta.includes(m)) && ta;
          },
          20_000,
        ).catch(async (error: Error) => {
          throw new Error(`${error.message}\nA: ${JSON.stringify(a.client.text(a.uri("area.ts")))}\nB: ${JSON.stringify(b.client.text(b.uri("area.ts")))}\nA sync: ${JSON.stringify(await a.health())}\nA log: ${a.client.stderr.slice(-1500)}`);
        });
        for (const m of markers) expect(merged.split(m).length).toBe(2); // each edit once, never doubled
        await until("A has nothing pending", async () => (await a.health()).pendingUpdates === 0, 10_000);
      }),
      { numRuns: 6, endOnFailure: true },
    );
  }, 240_000);

  it("a turn taken while the link is down runs offline; its transcript, stream and edit reach B on reconnect", async () => {
    await b.client.request("opencode/session/list"); // B's client speaks the custom protocol: it gets the stream
    relay.cut();
    await until("A knows it is offline", async () => (await a.health()).state !== "connected");
    provider.setTurns([{ toolCalls: [{ id: "o1", name: "edit", arguments: { path: "area.ts", oldString: "width * height", newString: "width ** height" } }] }, { text: "Done offline." }]);
    const result = await a.client.request("opencode/session/prompt", { sessionId, prompt: "power, offline" });
    expect(result.stopReason).toBe("end_turn");
    await until("A's buffer has the offline edit", () => a.client.text(a.uri("area.ts"))?.includes("width ** height"));
    expect(b.client.text(b.uri("area.ts"))).not.toContain("width ** height");
    relay.restore();
    await until("B's buffer has it after the reconnect", () => b.client.text(b.uri("area.ts"))?.includes("width ** height"), 20_000);
    await until("B's copy has the offline turn's transcript", async () => ((await b.client.request("opencode/session/list")) as any[])[0]?.messages === 8);
    await until("B streamed the offline answer", () => b.client.notifications.some((n) => n.method === "opencode/session/update" && n.params.update.kind === "message_chunk" && n.params.update.text.includes("offline")));
    expect(a.client.text(a.uri("area.ts"))).toBe(b.client.text(b.uri("area.ts")));
  }, 60_000);
});

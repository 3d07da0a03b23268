// The sync server on its own: a wrong token is refused with a clear message (and the editor is
// told); an update that is not valid Yjs is dropped, never fatal, on either side; nothing is kept
// once the last client leaves, unless --persist, whose file holds ciphertext only.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HocuspocusProvider } from "@hocuspocus/provider";
import fc from "fast-check";
import * as encoding from "lib0/encoding";
import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { SyncConnection } from "../../../server/sync/connection.ts";
import { startSyncServer, type SyncServer } from "../../../server/sync/serve.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";
import { startMachine, startSyncServe, TOKEN, until, type Machine, type SyncServe } from "../../support/sync.ts";

let provider: ScriptedProvider | undefined;
let serve: SyncServe | undefined;
let inProcess: SyncServer | undefined;
const cleanups: (() => void)[] = [];
const machines: Machine[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  for (const m of machines.splice(0)) m.client.kill();
  await serve?.stop();
  await inProcess?.close();
  await provider?.close();
  serve = inProcess = provider = undefined;
});

function connect(url: string, name: string, token = TOKEN): { doc: Y.Doc; link: SyncConnection; provider: HocuspocusProvider; synced(ms: number): Promise<boolean> } {
  const link = new SyncConnection({ url, token, room: "team", machine: "test" });
  const doc = new Y.Doc();
  const opened = link.open(name, doc);
  cleanups.push(() => link.destroy());
  return { doc, link, ...opened };
}

/** A Hocuspocus sync message (Update) for `name` carrying `bytes` as the update. */
function updateMessage(name: string, bytes: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, name);
  encoding.writeVarUint(encoder, 0); // Sync
  encoding.writeVarUint(encoder, 2); // Update
  encoding.writeVarUint8Array(encoder, bytes);
  return encoding.toUint8Array(encoder);
}

describe("sync serve", () => {
  it("refuses a wrong token with a clear message; the editor is told and health says so; the server goes on", async () => {
    provider = await startScriptedProvider({ protocol: "openai", turns: [] });
    serve = await startSyncServe();
    const wrong = await startMachine("wrong", { url: serve.url, provider, token: "not-the-token" });
    machines.push(wrong);
    const shown = await wrong.client.waitForNotification("window/showMessage", (p) => /refused/.test(p.message), 15_000);
    expect(shown.type).toBe(1);
    expect(shown.message).toContain("invalid token");
    expect(await wrong.health()).toMatchObject({ enabled: true, state: "unauthorized", refused: "invalid token" });
    expect(serve.stderr()).toContain("wrong token");
    const right = await startMachine("right", { url: serve.url, provider });
    machines.push(right);
    await until("the right token connects", async () => (await right.health()).state === "connected");
  }, 40_000);

  it("drops updates that are not valid Yjs (the sender is disconnected); the document and the server are untouched", async () => {
    inProcess = await startSyncServer({ token: TOKEN, log: () => undefined });
    const good = connect(inProcess.url, "team/f/a.txt");
    expect(await good.synced(5000)).toBe(true);
    good.doc.getText("t").insert(0, "kept");
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (garbage) => {
        fc.pre(!decodes(garbage));
        const bad = connect(inProcess!.url, "team/f/a.txt");
        expect(await bad.synced(5000)).toBe(true);
        const closed = new Promise((resolve) => bad.provider.on("close", resolve));
        bad.provider.configuration.websocketProvider.send(updateMessage("team/f/a.txt", garbage));
        expect(await closed).toMatchObject({ event: { reason: "not a Yjs update" } });
        bad.link.destroy();
        // The server is alive and the document as it was.
        const probe = connect(inProcess!.url, "team/f/a.txt");
        expect(await probe.synced(5000)).toBe(true);
        expect(probe.doc.getText("t").toString()).toBe("kept");
        probe.link.destroy();
      }),
      { numRuns: 12 },
    );
    expect((await fetch(inProcess.url.replace("ws:", "http:") + "/health").then((r) => r.json() as Promise<{ documents: number }>)).documents).toBe(1);
  }, 60_000);

  it("this machine drops a message from the server that carries no valid Yjs update", async () => {
    inProcess = await startSyncServer({ token: TOKEN });
    const side = connect(inProcess.url, "team/f/b.txt");
    await side.synced(5000);
    side.doc.getText("t").insert(0, "intact");
    const garbage = updateMessage("team/f/b.txt", new Uint8Array([255, 255, 255, 255, 1, 2, 3]));
    expect(() => side.provider.onMessage({ data: garbage.buffer } as MessageEvent)).not.toThrow();
    expect(side.link.dropped).toBe(1);
    expect(side.link.health().droppedUpdates).toBe(1);
    expect(side.doc.getText("t").toString()).toBe("intact");
  });

  it("keeps nothing once the last client leaves (zero retention)", async () => {
    inProcess = await startSyncServer({ token: TOKEN });
    const one = connect(inProcess.url, "team/s/s1");
    await one.synced(5000);
    one.doc.getArray("transcript").push(["secret"]);
    await until("acknowledged", () => one.provider.unsyncedChanges === 0);
    expect(inProcess.health().documents).toBe(1);
    one.link.destroy();
    await until("unloaded", () => inProcess!.health().documents === 0);
    const again = connect(inProcess.url, "team/s/s1");
    await again.synced(5000);
    expect(again.doc.getArray("transcript").length).toBe(0);
  });

  it("--persist keeps documents across restarts in SQLite, sealed: the file holds no plaintext", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sync-persist-"));
    const persist = { file: join(dir, "sync.db"), keyFile: join(dir, "sync.key") };
    inProcess = await startSyncServer({ token: TOKEN, persist });
    const one = connect(inProcess.url, "team/s/s2");
    await one.synced(5000);
    one.doc.getArray("transcript").push(["a very recognisable secret prompt"]);
    await until("acknowledged", () => one.provider.unsyncedChanges === 0);
    one.link.destroy();
    await until("stored and unloaded", () => inProcess!.health().documents === 0);
    await inProcess.close();
    expect(readFileSync(persist.file).includes("recognisable")).toBe(false);
    expect((readFileSync(persist.keyFile).length)).toBe(32);
    inProcess = await startSyncServer({ token: TOKEN, persist });
    const two = connect(inProcess.url, "team/s/s2");
    await two.synced(5000);
    expect(two.doc.getArray("transcript").toArray()).toEqual(["a very recognisable secret prompt"]);
  });

  it("refuses document names outside the room layout (that document only: the link stays up)", async () => {
    inProcess = await startSyncServer({ token: TOKEN });
    const odd = connect(inProcess.url, "team/f/../../etc/passwd");
    expect(await odd.synced(3000)).toBe(false);
    await until("refused", () => odd.link.health().refused);
    expect(odd.link.health()).toMatchObject({ state: "connected", refused: expect.stringMatching(/unknown document/) });
    expect(await odd.link.open("team/f/fine.txt", new Y.Doc()).synced(3000)).toBe(true);
  });
});

function decodes(bytes: Uint8Array): boolean {
  try {
    Y.decodeUpdate(bytes);
    return true;
  } catch {
    return false;
  }
}

// The room's document names (paths from other machines never leave the root) and the turn leases
// the server holds (one holder per session; freed by its holder or its connection; the next
// holder learns the state to wait for).
import { describe, expect, it } from "vitest";
import { fileDoc, localPath, relativePath, sessionDoc, validDocumentName } from "../../../server/sync/names.ts";
import { MemoryLeases, TurnLocks } from "../../../server/sync/turn-lock.ts";
import { parseTurnMessage } from "../../../server/sync/turn-protocol.ts";

describe("document names", () => {
  it("accepts the room layout and nothing else", () => {
    expect(validDocumentName("team")).toBe(true);
    expect(validDocumentName(sessionDoc("team", "0b6c-4f"))).toBe(true);
    expect(validDocumentName(fileDoc("team", "src/a.ts"))).toBe(true);
    for (const bad of ["", "team/x/y", "team/s/", "team/s/a/b", "team/f/../x", "team/f//etc/passwd", "te am", "team/f/a\0b"]) expect(validDocumentName(bad), bad).toBe(false);
  });

  it("maps paths between roots and refuses any that would leave the root", () => {
    expect(relativePath("/w/a", "/w/a/src/x.ts")).toBe("src/x.ts");
    expect(relativePath("/w/a", "/w/b/x.ts")).toBeUndefined();
    expect(localPath("/w/b", "src/x.ts")).toBe("/w/b/src/x.ts");
    for (const bad of ["../x", "/etc/passwd", "src/../../x", "C:/x", ""]) expect(localPath("/w/b", bad), bad).toBeUndefined();
  });
});

describe("turn leases", () => {
  it("one holder at a time; the holder renews and frees it; the next holder gets the state to wait for", async () => {
    const leases = new MemoryLeases();
    const a = { holder: "a/1", socket: "sa" };
    const b = { holder: "b/1", socket: "sb" };
    expect(await leases.acquire("d", a, 1000)).toEqual({ ok: true });
    expect(await leases.acquire("d", b, 1000)).toEqual({ ok: false, current: "a/1" });
    expect(await leases.acquire("d", a, 1000)).toEqual({ ok: true }); // already its own
    expect(await leases.release("d", (l) => l.holder === "b/1")).toBe(false);
    expect(await leases.release("d", (l) => l.holder === "a/1", "STATE")).toBe(true);
    expect(await leases.acquire("d", b, 1000)).toEqual({ ok: true, after: "STATE" });
    expect(await leases.acquire("other", a, 1000)).toEqual({ ok: true }); // per document
  });

  it("expires a lease nobody renews", async () => {
    const leases = new MemoryLeases();
    await leases.acquire("d", { holder: "a", socket: "s" }, 20);
    await new Promise((r) => setTimeout(r, 40));
    expect(await leases.acquire("d", { holder: "b", socket: "t" }, 20)).toMatchObject({ ok: true });
  });

  it("the extension answers acquire, and frees a closed connection's lease for the waiters", async () => {
    const locks = new TurnLocks(new MemoryLeases());
    const sent: string[] = [];
    const broadcast: string[] = [];
    const document = { broadcastStateless: (p: string) => broadcast.push(p) };
    const payload = (socketId: string, message: object) => ({ payload: JSON.stringify(message), connection: { socketId, sendStateless: (p: string) => sent.push(`${socketId} ${p}`) }, document, documentName: "team/s/1" }) as never;
    await locks.onStateless(payload("sa", { turn: "acquire", holder: "a/1" }));
    await locks.onStateless(payload("sb", { turn: "acquire", holder: "b/1" }));
    expect(sent).toEqual([`sa ${JSON.stringify({ turn: "granted", holder: "a/1" })}`, `sb ${JSON.stringify({ turn: "busy", holder: "b/1", current: "a/1" })}`]);
    await locks.onDisconnect({ documentName: "team/s/1", socketId: "sa", document } as never);
    expect(broadcast).toEqual([JSON.stringify({ turn: "free" })]);
    await locks.onStateless(payload("sb", { turn: "acquire", holder: "b/1" }));
    expect(sent.at(-1)).toBe(`sb ${JSON.stringify({ turn: "granted", holder: "b/1" })}`);
  });

  it("ignores stateless messages that are not turn messages", () => {
    expect(parseTurnMessage("hello")).toBeUndefined();
    expect(parseTurnMessage(JSON.stringify({ turn: "acquire" }))).toBeUndefined();
    expect(parseTurnMessage(JSON.stringify({ turn: "free" }))).toEqual({ turn: "free" });
  });
});

// AES-256-GCM helpers, the eraser, and SealedTranscript, including a heap snapshot check in a child
// process: while sealed and after erase, the prompt text is nowhere in the V8 heap.
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { createKey, open, seal, SealedTranscript, SessionKey, wipe } from "../../../server/privacy/encryption.ts";

describe("seal/open", () => {
  it("round-trips, binds associated data, and refuses a changed byte or another key", () => {
    const key = createKey();
    const sealed = seal(key, Buffer.from("hello"), Buffer.from("s1"));
    expect(open(key, sealed, Buffer.from("s1")).toString()).toBe("hello");
    expect(() => open(key, sealed, Buffer.from("s2"))).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => open(key, flipped, Buffer.from("s1"))).toThrow();
    expect(() => open(createKey(), sealed, Buffer.from("s1"))).toThrow();
    // A fresh IV each time: the same plaintext seals differently.
    expect(seal(key, Buffer.from("hello")).equals(seal(key, Buffer.from("hello")))).toBe(false);
  });

  it("wipe overwrites a key with zeros; an erased SessionKey refuses to work", () => {
    const key = createKey();
    expect(key.some((b) => b !== 0)).toBe(true);
    wipe(key);
    expect(key.every((b) => b === 0)).toBe(true);
    const sk = new SessionKey();
    const sealed = sk.seal(Buffer.from("x"));
    sk.erase();
    expect(sk.erased).toBe(true);
    expect(() => sk.open(sealed)).toThrow(/erased/);
  });
});

describe("SealedTranscript", () => {
  it("seal/open/erase", () => {
    const t = new SealedTranscript<{ role: string; content: string }[]>("session-1");
    expect(t.open()).toBeUndefined();
    const messages = [{ role: "user", content: "fix the bug" }, { role: "assistant", content: "done" }];
    t.seal(messages);
    expect(t.length).toBe(2);
    expect(t.size).toBeGreaterThan(0);
    const copy = t.open()!;
    expect(copy).toEqual(messages);
    expect(copy).not.toBe(messages);
    t.seal([...copy, { role: "user", content: "thanks" }]);
    expect(t.open()).toHaveLength(3);
    t.erase();
    expect(t.erased).toBe(true);
    expect(t.size).toBe(0);
    expect(() => t.open()).toThrow(/erased/);
  });

  it("a heap snapshot holds no prompt text while sealed, the text while open, and none after erase", () => {
    const dir = mkdtempSync(join(tmpdir(), "heap-"));
    const script = join(dir, "heap-check.ts");
    const module = pathToFileURL(join(process.cwd(), "server/privacy/encryption.ts")).href;
    // The marker is built from bytes at run time so no string constant holds it; the search is done on
    // raw snapshot bytes (Buffers live outside the V8 heap's strings).
    writeFileSync(
      script,
      `import { getHeapSnapshot } from "node:v8";
import { randomBytes } from "node:crypto";
import { SealedTranscript } from ${JSON.stringify(module)};
// Built byte by byte inside a function: a top-level temporary string would stay alive in the module's
// async frame across the awaits below.
function makeMarker() {
  const bytes = Buffer.alloc(27);
  bytes.write("ZQX", 0, "latin1");
  const r = randomBytes(12);
  for (let i = 0; i < 12; i++) bytes.write((r[i] >> 4).toString(16).toUpperCase() + (r[i] & 15).toString(16).toUpperCase(), 3 + 2 * i, "latin1");
  return bytes;
}
const markerBytes = makeMarker();
async function heapHas() {
  globalThis.gc(); globalThis.gc();
  const chunks = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).includes(markerBytes);
}
const t = new SealedTranscript("s");
function turn() {
  const messages = [{ role: "user", content: "please fix " + markerBytes.toString("latin1") + " now" }];
  t.seal(messages);
  messages.length = 0;
}
turn();
const sealed = await heapHas();
const holder = { opened: t.open() };
const open = await heapHas();
holder.opened = undefined;
t.erase();
const erased = await heapHas();
console.log(JSON.stringify({ sealed, open, erased }));
`,
    );
    const out = execFileSync(process.execPath, ["--expose-gc", script], { encoding: "utf8", timeout: 60_000 });
    expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual({ sealed: false, open: true, erased: false });
  }, 60_000);
});

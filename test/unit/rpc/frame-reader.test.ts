// The resynchronising frame reader: frames split anywhere by the pipe come out whole and in
// order; a frame taken by onFrame is not parsed nor delivered; a throwing listener does not stop
// the frames after it.
import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResyncingMessageReader, type BadFrame } from "../../../server/rpc/frame-reader.ts";

const frame = (message: object) => {
  const body = Buffer.from(JSON.stringify(message));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
};

function reader(options: { onFrame?: (buf: Buffer, start: number, end: number) => boolean } = {}) {
  const bad: BadFrame[] = [];
  const messages: unknown[] = [];
  const r = new ResyncingMessageReader(new PassThrough(), { onBadFrame: (b) => bad.push(b), ...options });
  r.listen((m) => messages.push(m));
  return { r, bad, messages };
}

describe("ResyncingMessageReader", () => {
  it("reads two frames split at every possible point", () => {
    const a = { jsonrpc: "2.0", id: 1, method: "a", params: { text: "ünïcödé 🎉" } };
    const b = { jsonrpc: "2.0", method: "b" };
    const bytes = Buffer.concat([frame(a), frame(b)]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { r, bad, messages } = reader();
      r.push(bytes.subarray(0, cut));
      r.push(bytes.subarray(cut));
      expect({ cut, messages, bad }).toEqual({ cut, messages: [a, b], bad: [] });
    }
  });

  it("delivers any messages, in any chunking, whole and in order", () => {
    const message = fc.record({ jsonrpc: fc.constant("2.0"), id: fc.oneof(fc.integer(), fc.string()), method: fc.string({ minLength: 1 }), params: fc.dictionary(fc.string(), fc.jsonValue()) });
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (messages, sizes) => {
        const bytes = Buffer.concat(messages.map(frame));
        const { r, bad, messages: out } = reader();
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length]!;
          r.push(bytes.subarray(at, at + size));
          at += size;
        }
        expect(bad).toEqual([]);
        expect(out).toEqual(JSON.parse(JSON.stringify(messages)));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("hands frames to onFrame first; a taken frame is not delivered", () => {
    const taken: string[] = [];
    const { r, messages } = reader({
      onFrame: (buf, start, end) => {
        const text = buf.toString("utf8", start, end);
        if (!text.includes('"take"')) return false;
        taken.push(text);
        return true;
      },
    });
    r.push(Buffer.concat([frame({ jsonrpc: "2.0", id: 1, result: "take" }), frame({ jsonrpc: "2.0", id: 2, result: "keep" })]));
    expect(taken).toEqual(['{"jsonrpc":"2.0","id":1,"result":"take"}']);
    expect(messages).toEqual([{ jsonrpc: "2.0", id: 2, result: "keep" }]);
  });

  it("keeps reading after a listener throws", () => {
    const errors: Error[] = [];
    const r = new ResyncingMessageReader(new PassThrough(), { onBadFrame: () => undefined });
    const seen: unknown[] = [];
    r.onError((e) => errors.push(e));
    r.listen((m) => {
      seen.push(m);
      if ((m as { id?: number }).id === 1) throw new Error("boom");
    });
    r.push(Buffer.concat([frame({ jsonrpc: "2.0", id: 1, method: "x" }), frame({ jsonrpc: "2.0", id: 2, method: "y" })]));
    expect(seen).toHaveLength(2);
    expect(errors.map((e) => e.message)).toEqual(["boom"]);
  });

  it("refuses messages that are no JSON-RPC message, saying which can be answered", () => {
    const { r, bad, messages } = reader();
    r.push(
      Buffer.concat([
        frame({ jsonrpc: "2.0", id: "a", method: "m", params: 5 }),
        frame({ jsonrpc: "2.0", id: {}, method: "m" }),
        frame({ jsonrpc: "2.0", method: 7 }),
        frame({ jsonrpc: "2.0", id: null, result: 1 }),
        frame({ jsonrpc: "2.0", id: 3, error: "bad" }),
        frame({ jsonrpc: "2.0", id: 4, result: null }),
        frame({ jsonrpc: "2.0", id: 5, method: "shutdown", params: null }), // as Emacs sends a request without params
      ]),
    );
    expect(bad.map((b) => [b.kind, b.id, b.reason])).toEqual([
      ["invalid-message", "a", "params are not an object or an array"],
      ["invalid-message", undefined, "id is not a string or a number"],
      ["invalid-message", undefined, "method is not a string"],
      ["invalid-response", undefined, "neither a request, a notification nor a response with an id"],
      ["invalid-response", undefined, "a response whose error is not { code, message }"],
    ]);
    expect(messages).toEqual([
      { jsonrpc: "2.0", id: 4, result: null },
      { jsonrpc: "2.0", id: 5, method: "shutdown", params: null },
    ]);
  });
});

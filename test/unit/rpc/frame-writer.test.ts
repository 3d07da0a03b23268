// FrameWriter: each frame (an encoded message, or parts of bytes passed on) is one write, in the
// order written, with a Content-Length that counts bytes.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { FrameWriter } from "../../../server/rpc/frame-writer.ts";

function sink() {
  const writes: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk);
      setTimeout(done, 1); // a slow pipe: writes queue up
    },
  });
  return { stream, writes };
}

describe("FrameWriter", () => {
  it("writes whole frames, one write each, in order, whichever way they came", async () => {
    const { stream, writes } = sink();
    const writer = new FrameWriter(stream);
    const done = [
      writer.write({ jsonrpc: "2.0", method: "a", params: { text: "é" } } as never),
      writer.passOn([Buffer.from('{"jsonrpc":"2.0","id":'), Buffer.from("7"), Buffer.from(',"result":"b"}')], 7),
      writer.write({ jsonrpc: "2.0", id: 8, result: "c" } as never),
    ];
    await Promise.all(done);
    expect(writes.map((w) => w.toString("utf8"))).toEqual([
      'Content-Length: 53\r\n\r\n{"jsonrpc":"2.0","method":"a","params":{"text":"é"}}',
      'Content-Length: 37\r\n\r\n{"jsonrpc":"2.0","id":7,"result":"b"}',
      'Content-Length: 37\r\n\r\n{"jsonrpc":"2.0","id":8,"result":"c"}',
    ]);
  });

  it("refuses to write once the stream is closed, and says so", async () => {
    const { stream } = sink();
    const writer = new FrameWriter(stream);
    stream.destroy();
    await expect(writer.write({ jsonrpc: "2.0", method: "a" } as never)).rejects.toThrow(/closed/);
  });
});

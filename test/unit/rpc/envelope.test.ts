// scanResponse reads a response's id (and where it is) from the bytes, without parsing the body,
// whatever the key order and spacing; requests, notifications and broken bodies are not responses.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scanResponse } from "../../../server/rpc/envelope.ts";

const scan = (text: string) => {
  const buf = Buffer.from(`xx${text}yy`); // the body need not start at 0
  const envelope = scanResponse(buf, 2, buf.length - 2);
  return envelope && { ...envelope, idText: buf.toString("utf8", envelope.idStart, envelope.idEnd) };
};

/** A JSON object written with these keys in this order and random spacing. */
function write(entries: [string, unknown][], space: string[]): string {
  const s = (i: number) => space[i % space.length]!;
  return `{${s(0)}${entries.map(([k, v], i) => `${JSON.stringify(k)}${s(i + 1)}:${s(i + 2)}${JSON.stringify(v)}`).join(`${s(3)},${s(4)}`)}${s(5)}}`;
}

describe("scanResponse", () => {
  it("finds the id of any response, in any key order and spacing", () => {
    const id = fc.oneof(fc.integer(), fc.string(), fc.constant(null));
    const answer = fc.oneof(fc.record({ result: fc.jsonValue() }), fc.record({ error: fc.record({ code: fc.integer(), message: fc.string() }) }));
    fc.assert(
      fc.property(id, answer, fc.boolean(), fc.array(fc.constantFrom("", " ", "\n", "\t", "\r\n  "), { minLength: 1 }), (id, answer, idFirst, space) => {
        const [key, value] = Object.entries(answer)[0]!;
        const entries: [string, unknown][] = idFirst ? [["jsonrpc", "2.0"], ["id", id], [key, value]] : [[key, value], ["jsonrpc", "2.0"], ["id", id]];
        const envelope = scan(write(entries, space));
        expect(envelope?.id).toEqual(id);
        expect(envelope?.error).toBe(key === "error");
        expect(JSON.parse(envelope!.idText)).toEqual(id);
      }),
      { seed: 3, numRuns: 500 },
    );
  });

  it("stops at the answer when the id came first (the result is not walked)", () => {
    // A result that is not even valid JSON after its first byte: the scan never looks at it.
    expect(scan('{"jsonrpc":"2.0","id":"opencode-lsp:7","result":[ this is not read')?.id).toBe("opencode-lsp:7");
  });

  it("says requests, notifications and broken bodies are not responses", () => {
    expect(scan('{"jsonrpc":"2.0","id":1,"method":"workspace/configuration","params":{}}')).toBeUndefined();
    expect(scan('{"jsonrpc":"2.0","method":"window/logMessage","params":{"id":1,"result":2}}')).toBeUndefined();
    expect(scan('{"jsonrpc":"2.0","result":1}')).toBeUndefined();
    expect(scan('{"jsonrpc":"2.0","id":{"a":1},"result":1}')).toBeUndefined();
    expect(scan('["id", 1]')).toBeUndefined();
    expect(scan('{"jsonrpc":"2.0","id":"unterminated')).toBeUndefined();
    expect(scan('{"id":"a\\"b","result":null}')?.id).toBe('a"b');
  });
});

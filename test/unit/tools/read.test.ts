import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinTools, ToolRegistry } from "../../../server/tools/index.ts";
import { makeWorkspace, type TempWorkspace } from "../../support/tools/workspace.ts";

let ws: TempWorkspace;
const registry = new ToolRegistry({ tools: builtinTools() });
const lines = (n: number, make = (i: number) => `line ${i}`) => Array.from({ length: n }, (_, i) => make(i + 1)).join("\n") + "\n";

beforeAll(() => {
  ws = makeWorkspace({
    "small.ts": "export const a = 1;\nexport const b = 2;\n",
    "big.txt": lines(2500),
    "wide.txt": lines(300, (i) => `${i} ${"w".repeat(400)}`),
    "crlf.txt": "one\r\ntwo\r\n",
    "empty.txt": "",
    "long-line.txt": "x".repeat(5000) + "\n",
    "image.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    "blob.dat2": new Uint8Array([1, 2, 3, 0, 4, 5, 6]),
    "src/component.tsx": "x\n",
  });
});
afterAll(() => ws.cleanup());

const read = (input: unknown) => registry.run("read", input, ws.ctx());

describe("read", () => {
  it("returns the file line-numbered", async () => {
    const result = await read({ path: "small.ts" });
    expect(result.status).toBe("completed");
    expect(result.output).toBe("1\texport const a = 1;\n2\texport const b = 2;\n\n(end of file: 2 lines)");
  });

  it("reads a range with offset and limit", async () => {
    const result = await read({ path: "big.txt", offset: 10, limit: 3 });
    expect(result.output.split("\n").slice(0, 3)).toEqual(["10\tline 10", "11\tline 11", "12\tline 12"]);
    expect(result.output).toMatch(/lines 10-12 of 2500; call read with offset=13 to continue/);
    expect(result.metadata).toMatchObject({ from: 10, to: 12, totalLines: 2500, more: true });
  });

  it("pages at 2,000 lines", async () => {
    const first = await read({ path: "big.txt" });
    expect(first.metadata).toMatchObject({ from: 1, to: 2000, more: true });
    expect(first.output).toMatch(/offset=2001 to continue/);
    const second = await read({ path: "big.txt", offset: 2001 });
    expect(second.metadata).toMatchObject({ from: 2001, to: 2500, more: false });
    expect(second.output).toMatch(/end of file: 2500 lines/);
    expect(second.output.startsWith("2001\tline 2001")).toBe(true);
  });

  it("pages at 50 KiB", async () => {
    const result = await read({ path: "wide.txt" });
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(50 * 1024);
    const to = result.metadata?.to as number;
    expect(to).toBeGreaterThan(100);
    expect(to).toBeLessThan(300);
    expect(result.output).toContain(`offset=${to + 1}`);
    expect(result.metadata?.truncated).toBeUndefined();
  });

  it("cuts very long lines", async () => {
    const result = await read({ path: "long-line.txt" });
    expect(result.output).toMatch(/line truncated, 5000 chars/);
  });

  it("handles CRLF and empty files", async () => {
    expect((await read({ path: "crlf.txt" })).output).toBe("1\tone\n2\ttwo\n\n(end of file: 2 lines)");
    expect((await read({ path: "empty.txt" })).output).toMatch(/is empty/);
  });

  it("refuses binary files with a clear message", async () => {
    const png = await read({ path: "image.png" });
    expect(png.status).toBe("failed");
    expect(png.output).toMatch(/binary file.*\.png/);
    const blob = await read({ path: "blob.dat2" });
    expect(blob.status).toBe("failed");
    expect(blob.output).toMatch(/binary file \(it contains NUL bytes/);
  });

  it("errors: missing file (with suggestions), directory, offset past the end, bad input", async () => {
    const missing = await read({ path: "src/component.ts" });
    expect(missing.status).toBe("failed");
    expect(missing.output).toMatch(/File not found: src\/component.ts\nDid you mean: src\/component.tsx/);
    const dir = await read({ path: "src" });
    expect(dir.output).toMatch(/is a directory/);
    const past = await read({ path: "small.ts", offset: 10 });
    expect(past.output).toMatch(/offset 10 is past the end of small.ts, which has 2 lines/);
    const bad = await read({ path: "small.ts", limit: 5000 });
    expect(bad.status).toBe("failed");
    expect(bad.output).toMatch(/Invalid input for tool "read":\n- limit:/);
  });
});

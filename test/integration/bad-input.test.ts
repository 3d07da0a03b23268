// Bad input never kills the server: each malformed frame gets the right JSON-RPC error or is
// dropped with a log line, and the next valid request is answered. Frames are written as raw bytes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { frame, LspTestClient } from "../support/lsp-client.ts";

let client: LspTestClient;
beforeEach(() => {
  client = new LspTestClient();
});
afterEach(() => client.kill());

const health = (id: string) => frame({ jsonrpc: "2.0", id, method: "opencode/health" });
const responseTo = (id: string) => client.waitForRaw((m) => m.id === id);

/** The server is alive and answering: a fresh raw request gets its result. */
async function expectAlive(id = "alive"): Promise<void> {
  client.writeRaw(health(id));
  const answer = await responseTo(id);
  expect(answer.result?.uptimeMs).toBeTypeOf("number");
  expect(client.child.exitCode).toBeNull();
}

describe("bad input", () => {
  it("answers a request before initialize with ServerNotInitialized", async () => {
    await expect(client.request("opencode/health")).rejects.toMatchObject({ code: -32002 });
    await client.initialize();
    await expectAlive();
  });

  describe("after initialize", () => {
    beforeEach(() => client.initialize());

    it("answers invalid JSON with ParseError", async () => {
      client.writeRaw(frame('{"jsonrpc":"2.0","id":"x","method":'));
      const error = await client.waitForRaw((m) => m.id === null && m.error);
      expect(error.error.code).toBe(-32700);
      await expectAlive();
      expect(client.stderr).toMatch(/bad frame: invalid JSON/);
    });

    it("answers a JSON value that is not a message with InvalidRequest", async () => {
      client.writeRaw(frame("[1,2,3]"));
      const error = await client.waitForRaw((m) => m.id === null && m.error);
      expect(error.error.code).toBe(-32600);
      await expectAlive();
    });

    it("survives a Content-Length longer than the body", async () => {
      // The declared length runs 40 bytes into the next frame; the reader sees the next header and
      // resynchronises, so both requests are answered.
      const body = JSON.stringify({ jsonrpc: "2.0", id: "long", method: "opencode/health" });
      client.writeRaw(Buffer.concat([frame(body, Buffer.byteLength(body) + 40), health("after-long")]));
      expect((await responseTo("after-long")).result).toBeDefined();
      expect((await responseTo("long")).result).toBeDefined();
      await expectAlive();
    });

    it("survives a Content-Length shorter than the body", async () => {
      const body = JSON.stringify({ jsonrpc: "2.0", id: "short", method: "opencode/health" });
      client.writeRaw(Buffer.concat([frame(body, 20), health("after-short")]));
      expect((await client.waitForRaw((m) => m.id === null && m.error)).error.code).toBe(-32700);
      expect((await responseTo("after-short")).result).toBeDefined();
      expect(client.stderr).toMatch(/dropped \d+ bytes/);
    });

    it("drops garbage and a header without Content-Length, with a log line", async () => {
      client.writeRaw("this is not a frame\r\n\r\n");
      client.writeRaw("Content-Type: application/json\r\n\r\n{}");
      await expectAlive();
      expect(client.stderr).toMatch(/bad frame: dropped \d+ bytes/);
    });

    it("answers an unknown method with MethodNotFound", async () => {
      await expect(client.request("opencode/no-such-thing", {})).rejects.toMatchObject({ code: -32601 });
      await expectAlive();
    });

    it("answers invalid params with InvalidParams", async () => {
      await expect(client.request("opencode/health", [1, 2])).rejects.toMatchObject({ code: -32602 });
      await expectAlive();
    });

    it("takes a 10 MB didChange and answers the next request", async () => {
      const uri = "file:///tmp/big.txt";
      await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "plaintext", version: 1, text: "start\n" } });
      const big = "x".repeat(1023) + "\n";
      const text = big.repeat(10 * 1024);
      await client.notify("textDocument/didChange", {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text }],
      });
      const report = await client.request("opencode/health");
      expect(report.documents.open).toBe(1);
      await expectAlive();
    });
  });
});

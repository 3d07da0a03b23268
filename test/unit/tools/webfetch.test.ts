import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlToText, ToolRegistry, webfetchTool } from "../../../server/tools/index.ts";
import { makeWorkspace, type TempWorkspace } from "../../support/tools/workspace.ts";

let ws: TempWorkspace;
let server: Server;
let base: string;

beforeAll(async () => {
  ws = makeWorkspace();
  server = createServer((req, res) => {
    if (req.url === "/page") {
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end("<html><head><title>T</title><style>p{}</style></head><body><h1>Hello</h1><p>A &amp; B&nbsp;&lt;c&gt;</p><script>alert(1)</script><ul><li>one</li><li>two</li></ul></body></html>");
    } else if (req.url === "/big") {
      res.setHeader("content-type", "text/plain");
      res.end("z".repeat(100_000));
    } else if (req.url === "/image") {
      res.setHeader("content-type", "image/png");
      res.end(Buffer.from([0x89, 0x50]));
    } else if (req.url === "/slow") {
      setTimeout(() => res.end("late"), 5000);
    } else {
      res.statusCode = 404;
      res.end("nope");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  ws.cleanup();
});

const allow = { permissions: { edit: "deny", bash: "deny", read: "allow", webfetch: "allow" } } as const;

describe("webfetch", () => {
  const registry = new ToolRegistry({ tools: [webfetchTool({ maxBytes: 10_000 })], config: allow });
  const run = (input: unknown, ctx = ws.ctx()) => registry.run("webfetch", input, ctx);

  it("fetches HTML as readable text", async () => {
    const result = await run({ url: `${base}/page` });
    expect(result.status).toBe("completed");
    expect(result.output).toBe("Hello\n\nA & B <c>\n\n- one\n- two");
    const raw = await run({ url: `${base}/page`, format: "html" });
    expect(raw.output).toContain("<h1>Hello</h1>");
  });

  it("caps the download", async () => {
    const result = await run({ url: `${base}/big` });
    expect(result.output).toMatch(/\[download stopped at 10000 bytes\]$/);
    expect(result.metadata).toMatchObject({ bytes: 10_000, capped: true });
  });

  it("errors: HTTP status, binary, bad scheme, timeout, cancel, refused connection", async () => {
    expect((await run({ url: `${base}/missing` })).output).toMatch(/HTTP 404/);
    expect((await run({ url: `${base}/image` })).output).toMatch(/binary content \(image\/png\)/);
    expect((await run({ url: "file:///etc/passwd" })).output).toMatch(/only http/);
    expect((await run({ url: `${base}/slow`, timeout: 1 })).output).toMatch(/timed out after 1 s/);
    const controller = new AbortController();
    const pending = run({ url: `${base}/slow` }, ws.ctx({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    expect((await pending).output).toMatch(/Cancelled/);
    expect((await run({ url: "http://127.0.0.1:9/" })).output).toMatch(/failed/);
  });

  it("asks by default", async () => {
    const reg = new ToolRegistry({ tools: [webfetchTool()] });
    const asked: string[] = [];
    const result = await reg.run("webfetch", { url: `${base}/page` }, ws.ctx({ ask: async (r) => (asked.push(r.patterns[0]!), "reject") }));
    expect(result.status).toBe("failed");
    expect(asked).toEqual([`${base}/page`]);
  });

  it("htmlToText decodes numeric entities", () => {
    expect(htmlToText("<p>&#65;&#x42;</p>")).toBe("AB");
  });
});

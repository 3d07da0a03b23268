import { afterEach, describe, expect, it } from "vitest";
import { LspTestClient } from "../support/lsp-client.ts";

let client: LspTestClient;
afterEach(() => client?.kill());

describe("opencode/health", () => {
  it("reports uptime, memory, open documents and per-method latency percentiles", async () => {
    client = new LspTestClient();
    await client.initialize();
    for (const uri of ["file:///tmp/a.ts", "file:///tmp/b.ts"]) {
      await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text: "" } });
    }
    await client.notify("textDocument/didClose", { textDocument: { uri: "file:///tmp/b.ts" } });
    for (let i = 0; i < 5; i++) await client.request("opencode/health");
    await client.request("nope/nothing").catch(() => undefined);

    const report = await client.request("opencode/health");
    expect(report.uptimeMs).toBeGreaterThan(0);
    expect(report.rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(report.heapUsed).toBeGreaterThan(0);
    expect(report.documents).toEqual({ open: 1 });
    const health = report.requests.byMethod["opencode/health"];
    expect(health.count).toBe(5); // this request is still running while the report is made
    expect(health.p50).toBeGreaterThanOrEqual(0);
    expect(health.p99).toBeGreaterThanOrEqual(health.p50);
    expect(report.requests.byMethod["initialize"].count).toBe(1);
    expect(report.requests.byMethod["nope/nothing"]).toMatchObject({ count: 1, errors: 1 });
    expect(report.requests.total).toBe(7);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { LspTestClient, parseFrames } from "../support/lsp-client.ts";

const clients: LspTestClient[] = [];
const start = (...args: ConstructorParameters<typeof LspTestClient>) => {
  const client = new LspTestClient(...args);
  clients.push(client);
  return client;
};
afterEach(() => {
  for (const client of clients.splice(0)) client.kill();
});

describe("lifecycle", () => {
  it("answers initialize with serverInfo and incremental sync, then shutdown + exit exits 0", async () => {
    const client = start();
    const result = await client.initialize();
    expect(result.serverInfo).toEqual({ name: "opencode-lsp", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(result.capabilities.textDocumentSync).toEqual({ openClose: true, change: 2 });
    expect(await client.shutdownAndExit()).toBe(0);
  });

  it("exits 1 on exit without shutdown", async () => {
    const client = start();
    await client.initialize();
    await client.notify("exit");
    expect(await client.exited).toBe(1);
  });

  it("exits when stdin closes", async () => {
    const client = start();
    await client.initialize();
    client.child.stdin.end();
    expect(await client.exited).toBe(1);
  });

  it("answers requests after shutdown with InvalidRequest", async () => {
    const client = start();
    await client.initialize();
    await client.request("shutdown");
    await expect(client.request("opencode/health")).rejects.toMatchObject({ code: -32600 });
    await client.notify("exit");
    expect(await client.exited).toBe(0);
  });

  it("ends when the parent process named in processId dies", async () => {
    const { spawn } = await import("node:child_process");
    const parent = spawn("sleep", ["30"]);
    const client = start();
    await client.initialize({ processId: parent.pid });
    parent.kill("SIGKILL");
    const code = await Promise.race([client.exited, new Promise((r) => setTimeout(() => r("still running"), 8000))]);
    expect(code).not.toBe("still running");
  }, 15_000);

  it("writes nothing but valid frames to stdout, even logging at trace", async () => {
    const client = start({ args: ["--stdio", "--log-level", "trace"] });
    await client.initialize();
    await client.notify("textDocument/didOpen", { textDocument: { uri: "file:///tmp/a.ts", languageId: "typescript", version: 1, text: "let a = 1;\n" } });
    await client.request("opencode/health");
    await client.request("no/such/method").catch(() => undefined);
    expect(await client.shutdownAndExit()).toBe(0);
    const messages = parseFrames(client.stdout);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    expect(client.stderr).toContain('"level":10'); // trace lines went to stderr
  });
});

// Bad input to `opencode-lsp acp`: malformed JSON lines, a batch, unknown methods, params the schema
// refuses, requests before initialize, a prompt for an unknown session, a second prompt while one
// runs — each a JSON-RPC error; the process keeps serving and stdout carries protocol lines only.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { acpFixtures, acpWorkspace, AcpTestClient } from "../../support/acp-client.ts";
import { isolatedEnv, SERVER_BIN } from "../../support/lsp-client.ts";

const fixtures = acpFixtures();

const waitFor = async (c: AcpTestClient, test: (m: Record<string, any>) => boolean) => {
  await expect.poll(() => c.stdoutMessages().find(test), { timeout: 5000 }).toBeDefined();
  return c.stdoutMessages().find(test)!;
};

describe("acp: bad input", () => {
  it("answers garbage, batches, unknown methods and bad params with JSON-RPC errors and keeps serving", async () => {
    const provider = await fixtures.provider([{ text: "still ok", firstTokenDelayMs: 300 }]);
    const root = acpWorkspace({ "a.txt": "a\n" }, { alpha: provider.baseURLs.openai });
    const client = fixtures.track(new AcpTestClient({ cwd: root }));

    // Before initialize: refused, not crashed.
    await expect(client.newSession(root)).rejects.toMatchObject({ code: -32600 });
    await client.initialize();

    client.writeRaw("this is not json\n");
    expect(await waitFor(client, (m) => m.error?.code === -32700)).toMatchObject({ id: null, error: { message: expect.stringContaining("Parse error") } });
    client.writeRaw('{"jsonrpc":"2.0","id":7,"method":"session/new"\n'); // cut off
    client.writeRaw('[{"jsonrpc":"2.0","id":8,"method":"session/list","params":{}}]\n');
    expect(await waitFor(client, (m) => m.error?.code === -32600 && m.id === null)).toBeDefined();
    client.writeRaw('"just a string"\n');

    await expect(client.agent.request("session/fork", { sessionId: "x" })).rejects.toMatchObject({ code: -32601 });
    await expect(client.agent.request("session/new", { cwd: 42 })).rejects.toMatchObject({ code: -32602 });
    await expect(client.prompt("no-such-session", "hello")).rejects.toMatchObject({ code: -32002, data: { sessionId: "no-such-session" } });
    await expect(client.agent.request("session/set_mode", { sessionId: "no-such-session", modeId: "plan" })).rejects.toMatchObject({ code: -32002 });

    // mcpServers: kept when well-formed, refused by the schema when not.
    await expect(client.agent.request("session/new", { cwd: root, mcpServers: [{ name: "fs", args: [], env: [] }] })).rejects.toMatchObject({ code: -32602 });
    const { sessionId } = await client.newSession(root, [{ name: "fs", command: "mcp-server-filesystem", args: [root], env: [{ name: "DEBUG", value: "1" }] }]);
    await expect(client.agent.request("session/prompt", { sessionId, prompt: [] })).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("empty") });
    const first = client.prompt(sessionId, "one");
    await expect.poll(() => provider.requests.length, { timeout: 5000 }).toBe(1);
    await expect(client.prompt(sessionId, "two at once")).rejects.toMatchObject({ code: -32600, message: expect.stringContaining("already running") });
    expect(await first).toEqual({ stopReason: "end_turn" });
    expect(client.textOf(sessionId)).toBe("still ok");

    expect(client.child.exitCode).toBeNull();
    expect(() => client.stdoutMessages()).not.toThrow(); // every stdout line is a JSON-RPC message
  });

  it("exits 0 when the client closes stdin, with a session worker running", async () => {
    const provider = await fixtures.provider();
    const root = acpWorkspace({ "a.txt": "a\n" }, { alpha: provider.baseURLs.openai });
    const client = await fixtures.client(root);
    const { sessionId } = await client.newSession(root);
    await client.prompt(sessionId, "hi"); // starts the session's worker
    client.child.stdin.end();
    expect(await client.exited).toBe(0);
  });
});

describe("acp: command line", () => {
  it("has --help; an extra argument is a usage error (exit 2, one line)", () => {
    const run = (args: string[]) => spawnSync(process.execPath, [SERVER_BIN, ...args], { env: isolatedEnv(), encoding: "utf8", timeout: 10_000 });
    const help = run(["acp", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: opencode-lsp acp");
    expect(run(["--help"]).stdout).toContain("opencode-lsp acp");
    const extra = run(["acp", "now"]);
    expect(extra.status).toBe(2);
    expect(extra.stderr.trim()).toBe('opencode-lsp: unexpected argument "now" for acp (see opencode-lsp --help)');
  });
});

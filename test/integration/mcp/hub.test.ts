// The MCP hub against real servers: server-everything and server-filesystem from npm (run with the
// project's node), a remote one on the SDK's own Streamable HTTP server, and faulty ones. Checks
// the process table: every server runs in its own process group and none is left after close.
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { McpHub } from "../../../server/mcp/hub.ts";
import { LazyMcpHub } from "../../../server/mcp/lazy-hub.ts";
import type { McpConfig } from "../../../server/mcp/types.ts";
import { EVERYTHING, EXITS_AT_ONCE, filesystemServer, HANGS_ON_INITIALIZE, liveInGroup, processesMatching, startRemoteMcp, unusedPort, type RemoteMcp } from "../../support/mcp.ts";

const root = realpathSync(mkdtempSync(join(tmpdir(), "mcp-hub-")));
let hub: McpHub | undefined;
let remote: RemoteMcp | undefined;

afterEach(async () => {
  await hub?.close();
  hub = undefined;
  await remote?.close();
  remote = undefined;
});

function makeHub(mcp: Record<string, McpConfig>): McpHub {
  hub = new McpHub({ root, config: () => ({ mcp }) });
  return hub;
}

describe("McpHub with server-everything", () => {
  it("lists its tools as SERVER_tool with their schemas, calls one, and lists resources and prompts", async () => {
    const h = makeHub({ everything: { type: "local", command: EVERYTHING } });
    const { tools, unavailable } = await h.tools();
    expect(unavailable).toEqual([]);
    const echo = tools.find((t) => t.name === "everything_echo");
    expect(echo).toMatchObject({ server: "everything", tool: "echo" });
    expect(echo!.inputSchema).toMatchObject({ type: "object", properties: { message: { type: "string" } }, required: ["message"] });
    expect(await h.call(undefined, "everything", "echo", { message: "hi there" })).toEqual({ status: "completed", output: "Echo: hi there" });

    const [report] = await h.list();
    expect(report).toMatchObject({ name: "everything", type: "local", state: "ready", transport: "stdio" });
    expect(report!.tools.map((t) => t.name)).toContain("get-sum");
    expect(report!.resources.length).toBeGreaterThan(0);
    expect(report!.prompts.map((p) => p.name)).toContain("simple-prompt");
  });

  it("runs the server in its own process group in the workspace, and kills it on close", async () => {
    const h = makeHub({ everything: { type: "local", command: EVERYTHING } });
    await h.tools();
    const pid = h.all()[0]!.pid!;
    expect(pid).toBeGreaterThan(0);
    expect(liveInGroup(pid).length).toBeGreaterThan(0);
    expect(liveInGroup(process.pid)).not.toContain(pid);
    await h.close();
    expect(liveInGroup(pid)).toEqual([]);
  });

  it("gives the server a scrubbed environment plus the entry's own variables", async () => {
    process.env.FAKE_SERVICE_TOKEN = "parent-secret";
    try {
      const h = makeHub({ everything: { type: "local", command: EVERYTHING, environment: { MCP_TEST_FLAG: "from-config", GITHUB_TOKEN: "configured-on-purpose" } } });
      const result = await h.call(undefined, "everything", "get-env", {});
      expect(result.status).toBe("completed");
      expect(result.output).toContain("from-config");
      expect(result.output).toContain("configured-on-purpose");
      expect(result.output).not.toContain("parent-secret");
    } finally {
      delete process.env.FAKE_SERVICE_TOKEN;
    }
  });

  it("restarts a killed server with backoff; the next call works", async () => {
    const h = makeHub({ everything: { type: "local", command: EVERYTHING } });
    await h.tools();
    const connection = h.all()[0]!;
    const first = connection.pid!;
    process.kill(-first, "SIGKILL");
    await expect.poll(() => connection.state, { timeout: 5_000 }).not.toBe("ready");
    const result = await h.call(undefined, "everything", "echo", { message: "again" });
    expect(result).toEqual({ status: "completed", output: "Echo: again" });
    expect(connection.restarts).toBe(1);
    expect(connection.pid).not.toBe(first);
    expect(liveInGroup(first)).toEqual([]);
  });
});

describe("McpHub with server-filesystem", () => {
  it("reads and writes files in the directory it was given", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "mcp-fs-")));
    writeFileSync(join(dir, "notes.txt"), "remember the milk\n");
    const h = makeHub({ fs: { type: "local", command: filesystemServer(dir) } });
    const names = (await h.tools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["fs_read_text_file", "fs_write_file", "fs_list_directory"]));
    expect((await h.call(undefined, "fs", "read_text_file", { path: join(dir, "notes.txt") })).output).toContain("remember the milk");
    const outside = await h.call(undefined, "fs", "read_text_file", { path: "/etc/hostname" });
    expect(outside.status).toBe("failed");
    expect(outside.output).toMatch(/outside allowed directories|Access denied/i);
  });
});

describe("McpHub faults", () => {
  it("reports a server that exits at once as unavailable, with its exit code and stderr", async () => {
    const h = makeHub({ broken: { type: "local", command: EXITS_AT_ONCE }, everything: { type: "local", command: EVERYTHING } });
    const { tools, unavailable } = await h.tools();
    expect(tools.some((t) => t.server === "everything")).toBe(true);
    expect(unavailable).toEqual([{ server: "broken", state: "failed", reason: expect.stringMatching(/exited with code 3.*missing DATABASE_URL/) }]);
    const call = await h.call(undefined, "broken", "anything", {});
    expect(call.status).toBe("failed");
    expect(call.output).toMatch(/MCP server "broken" is unavailable \(exited with code 3/);
  });

  it("times out a server that hangs on initialize, and kills it", async () => {
    const h = makeHub({ stuck: { type: "local", command: HANGS_ON_INITIALIZE, timeout: 700 } });
    const started = performance.now();
    const { unavailable } = await h.tools();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(unavailable[0]).toMatchObject({ server: "stuck", state: "failed", reason: "did not answer initialize within 700 ms" });
    await expect.poll(() => processesMatching("hangs-on-initialize.mjs").length, { timeout: 5_000 }).toBe(0);
  });

  it("reports a command that does not exist", async () => {
    const h = makeHub({ missing: { type: "local", command: ["/nonexistent/mcp-server"] } });
    const { unavailable } = await h.tools();
    expect(unavailable[0]?.reason).toMatch(/nonexistent\/mcp-server/);
  });

  it("leaves a disabled server alone", async () => {
    const h = makeHub({ off: { type: "local", command: EXITS_AT_ONCE, enabled: false } });
    expect(await h.tools()).toEqual({ tools: [], unavailable: [] });
    expect((await h.list())[0]).toMatchObject({ name: "off", state: "disabled", tools: [] });
  });
});

describe("McpHub remote", () => {
  it("speaks Streamable HTTP to the SDK's own server, with the configured headers", async () => {
    remote = await startRemoteMcp();
    const h = makeHub({ remote: { type: "remote", url: remote.url, headers: { Authorization: "Bearer remote-token" } } });
    const { tools } = await h.tools();
    expect(tools.map((t) => t.name)).toEqual(["remote_add"]);
    expect(await h.call(undefined, "remote", "add", { a: 2, b: 3 })).toEqual({ status: "completed", output: "5" });
    expect(remote.calls).toEqual(["add 2 3"]);
    expect(remote.headers.every((h) => h.authorization === "Bearer remote-token")).toBe(true);
    const [report] = await h.list();
    expect(report).toMatchObject({ state: "ready", transport: "streamable-http", resources: [{ uri: "remote://motd", name: "motd" }] });
  });

  it("offline mode refuses a remote server that is not on loopback, and allows one that is", async () => {
    remote = await startRemoteMcp();
    const config = { mcp: { far: { type: "remote", url: "https://mcp.example.com/mcp" }, near: { type: "remote", url: remote.url } } as Record<string, McpConfig>, policy: { offline: true, denyTools: [] } };
    const lazy = new LazyMcpHub({ root, config: () => config });
    try {
      const { tools, unavailable } = await lazy.tools();
      expect(tools.map((t) => t.name)).toEqual(["near_add"]);
      expect(unavailable).toEqual([{ server: "far", state: "refused", reason: expect.stringMatching(/offline mode.*mcp\.example\.com/) }]);
      expect(lazy.status().find((s) => s.name === "far")).toMatchObject({ state: "refused" });
    } finally {
      await lazy.close();
    }
  });

  it("reports a remote server that is not there", async () => {
    const h = makeHub({ gone: { type: "remote", url: `http://127.0.0.1:${await unusedPort()}/mcp`, timeout: 2_000 } });
    const { unavailable } = await h.tools();
    expect(unavailable[0]).toMatchObject({ server: "gone", state: "failed", reason: expect.stringMatching(/Streamable HTTP: .*ECONNREFUSED.*; SSE: /) });
  });
});

describe("McpHub sessions and configuration", () => {
  it("gives a session its own servers, and stops them when the session ends", async () => {
    remote = await startRemoteMcp();
    const h = makeHub({});
    h.setSessionServers("s1", { everything: { type: "local", command: EVERYTHING } });
    expect((await h.tools("s1")).tools.some((t) => t.name === "everything_echo")).toBe(true);
    expect((await h.tools("s2")).tools).toEqual([]);
    expect(await h.call("s2", "everything", "echo", { message: "x" })).toMatchObject({ status: "failed", output: expect.stringMatching(/no MCP server "everything"/) });
    const pid = h.all("s1")[0]!.pid!;
    await h.endSession("s1");
    expect(liveInGroup(pid)).toEqual([]);
  });

  it("stops a server whose entry changed and starts the new one on next use", async () => {
    const config = { mcp: { everything: { type: "local", command: EVERYTHING } } as Record<string, McpConfig> };
    hub = new McpHub({ root, config: () => config });
    await hub.tools();
    const pid = hub.all()[0]!.pid!;
    config.mcp = { everything: { type: "local", command: EVERYTHING, environment: { CHANGED: "1" } } };
    hub.configure();
    await expect.poll(() => liveInGroup(pid).length, { timeout: 5_000 }).toBe(0);
    expect((await hub.call(undefined, "everything", "get-env", {})).output).toContain("CHANGED");
  });
});

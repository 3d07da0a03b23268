// `opencode-lsp sync serve` from the command line: help, bad flags (exit 2, one line), a port in
// use, a made-up token when none is set, and the `sync` config key validated like any other.
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { isolatedEnv, LspTestClient, SERVER_BIN } from "../../support/lsp-client.ts";
import { startSyncServe, until, type SyncServe } from "../../support/sync.ts";

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [SERVER_BIN, ...args], { env: { ...isolatedEnv(), ...env }, encoding: "utf8", timeout: 10_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let serve: SyncServe | undefined;
let client: LspTestClient | undefined;
afterEach(async () => {
  client?.kill();
  await serve?.stop();
  serve = client = undefined;
});

describe("sync serve (command line)", () => {
  it("has --help, and bad usage is a one-line error with exit code 2", () => {
    expect(run(["sync", "--help"]).stdout).toContain("Usage: opencode-lsp sync serve [--port PORT] [--host HOST] [--redis URL] [--persist FILE]");
    expect(run(["--help"]).stdout).toContain("opencode-lsp sync serve");
    for (const [args, message] of [
      [["sync"], "sync needs serve"],
      [["sync", "start"], 'unknown sync command "start"'],
      [["sync", "serve", "--port", "http"], '--port takes a port number, got "http"'],
      [["sync", "serve", "--redis", "localhost:6379"], "--redis takes a redis:// URL"],
      [["sync", "serve", "--nope"], "Unknown option '--nope'"],
    ] as const) {
      const result = run([...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("makes up a token when none is set and prints it; a port in use is a clear error", async () => {
    serve = await startSyncServe({ env: { OPENCODE_LSP_SYNC_TOKEN: "" } });
    await until("the token is printed", () => /token: [\w-]{20,}/.test(serve!.stderr()));
    expect(serve.stderr()).toContain("nothing kept after the last client leaves");
    const busy = run(["sync", "serve", "--port", String(serve.port)]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain("EADDRINUSE");
  });

  it("a Redis that does not answer is a clear error at start, exit code 2", () => {
    const result = run(["sync", "serve", "--port", "0", "--redis", "redis://127.0.0.1:1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot reach Redis at redis://127.0.0.1:1");
  });

  it("the `sync` key is validated with its path", async () => {
    client = new LspTestClient();
    await client.initialize({ initializationOptions: { sync: { url: "http://example.org" } } });
    const shown = await client.waitForNotification("window/showMessage", (p) => p.message.includes("sync.url"));
    expect(shown.message).toContain("expected a ws:// or wss:// URL");
  });
});

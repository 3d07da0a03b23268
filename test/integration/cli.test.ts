import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isolatedEnv, LspTestClient, REPO_ROOT, SERVER_BIN } from "../support/lsp-client.ts";

function run(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [SERVER_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...isolatedEnv(), ...options.env },
    encoding: "utf8",
    timeout: 10_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let client: LspTestClient | undefined;
afterEach(() => client?.kill());

describe("command line", () => {
  it("prints --help and --version", () => {
    const help = run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("opencode-lsp [--stdio]");
    expect(help.stdout).toContain("doctor");
    const version = run(["--version"]);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(version.stdout.trim()).toBe(pkg.version);
    expect(run(["doctor", "--help"]).stdout).toContain("Usage: opencode-lsp doctor");
  });

  it.each([
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["--socket=notaport"], /--socket takes a port number/],
    [["--stdio", "--socket=1"], /choose one transport/],
    [["--log-level", "loud"], /unknown log level "loud"/],
  ])("rejects %j with a one-line error and exit 2", (args, message) => {
    const result = run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
  });

  it("doctor shows the effective config and where each value came from", () => {
    const root = mkdtempSync(join(tmpdir(), "doctor-"));
    writeFileSync(join(root, "opencode.json"), '{ "model": "openai/gpt-4o", "providers": { "openai": { "apiKey": "sk-secretsecretsecret" } } }');
    const result = run(["doctor"], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/model\s+"openai\/gpt-4o"\s+← .*opencode\.json/);
    expect(result.stdout).toMatch(/permissions\.edit\s+"ask"\s+← defaults/);
    expect(result.stdout).not.toContain("sk-secretsecretsecret");
  });

  it("doctor exits 2 on a bad config and names the path", () => {
    const root = mkdtempSync(join(tmpdir(), "doctor-"));
    writeFileSync(join(root, "opencode.json"), '{ "proxy": { "typescript": { "command": "tsserver", "filetypes": ["typescript"] } } }');
    const result = run(["doctor"], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("proxy.typescript.command: expected array");
  });
});

describe("models", () => {
  it("lists at least 75 provider/model entries with their availability", () => {
    const result = run(["models", "--json"], { env: { OPENAI_API_KEY: "sk-test" } });
    expect(result.code).toBe(0);
    const entries = JSON.parse(result.stdout);
    expect(entries.length).toBeGreaterThanOrEqual(75);
    expect(new Set(entries.map((e: any) => e.provider)).size).toBeGreaterThanOrEqual(20);
    const openai = entries.filter((e: any) => e.provider === "openai");
    expect(openai.length).toBeGreaterThan(0);
    expect(openai.every((e: any) => e.usable)).toBe(true);
    expect(entries.find((e: any) => e.provider === "anthropic")).toMatchObject({ usable: false, reason: expect.stringContaining("ANTHROPIC_API_KEY") });
    const table = run(["models"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^MODEL\s+CONTEXT/);
  });
});

describe("privacy commands", () => {
  it("trust, audit verify and stats are reachable from the command line", () => {
    expect(run(["trust", "--help"]).stdout).toContain("Usage: opencode-lsp trust");
    const audit = run(["audit", "verify"]);
    expect(audit.code).toBe(1);
    expect(audit.stdout + audit.stderr).toMatch(/no audit log/);
    const stats = run(["stats"]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/Telemetry is off/);
  });
});

describe("logging", () => {
  it("writes to --log-file at the level asked, with secrets redacted", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "log-")), "server.log");
    client = new LspTestClient({ args: ["--stdio", "--log-file", file, "--log-level", "debug"] });
    await client.initialize({
      initializationOptions: {
        providers: { openai: { apiKey: "sk-abcdefghijklmnop", headers: { Authorization: "Bearer abcdefghijklmnop" } } },
        model: 42, // invalid: the issue is logged with the offending source
      },
    });
    expect(await client.shutdownAndExit()).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).toContain('"msg":"initialized"');
    expect(text).toContain("invalid config");
    expect(text).toContain('"initializationOptions"'); // the options were logged ...
    expect(text).toContain("[Redacted]"); // ... with the secrets replaced
    expect(text).not.toContain("abcdefghijklmnop");
    expect(client.stderr).toBe("");
  });

  it("takes the level from OPENCODE_LSP_LOG_LEVEL", async () => {
    client = new LspTestClient({ env: { OPENCODE_LSP_LOG_LEVEL: "warn" } });
    await client.initialize();
    expect(await client.shutdownAndExit()).toBe(0);
    expect(client.stderr).not.toContain('"msg":"initialized"');
  });
});

// Zero retention, proven: with the default config a full session — headless `run`, and the LSP server
// (ask, session end, shutdown) — leaves no file of ours anywhere: HOME and every XDG directory,
// TMPDIR, and the workspace hold exactly what the test put there (and the user's edited file). While
// telemetry is off, a local sink that every usual telemetry endpoint variable points at hears nothing.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { BUGGY_MATH, FIX_SCENARIO, mathWorkspace, runCli } from "../../support/agent-workspace.ts";
import { LspTestClient } from "../../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let provider: ScriptedProvider | undefined;
let client: LspTestClient | undefined;
let sink: { server: Server; url: string; requests: string[] } | undefined;
afterEach(async () => {
  client?.kill();
  client = undefined;
  await provider?.close();
  provider = undefined;
  if (sink) await new Promise((r) => sink!.server.close(r));
  sink = undefined;
});

/** Every path under `root` (directories too), relative, sorted. */
function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      out.push(relative(root, abs) + (entry.isDirectory() ? "/" : ""));
      if (entry.isDirectory()) visit(abs);
    }
  };
  visit(root);
  return out.sort();
}

/** A fresh HOME (XDG dirs inside it, not created) and a fresh TMPDIR for the child. */
function freshDirs() {
  const base = mkdtempSync(join(tmpdir(), "zero-retention-"));
  const home = join(base, "home");
  const tmp = join(base, "tmp");
  mkdirSync(home);
  mkdirSync(tmp);
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    XDG_CACHE_HOME: join(home, ".cache"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_RUNTIME_DIR: join(home, "run"),
    TMPDIR: tmp,
    TMP: tmp,
    TEMP: tmp,
  };
  return { home, tmp, env };
}

async function startSink(): Promise<NonNullable<typeof sink>> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, requests };
}

/** Variables telemetry SDKs and crash reporters read for where to send. */
function telemetryEnv(url: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url,
    SENTRY_DSN: `${url.replace("http://", "http://key@")}/1`,
    OPENCODE_TELEMETRY_URL: url,
    DO_NOT_TRACK: "",
  };
}

describe("zero retention (default config)", () => {
  it("opencode-lsp run --yes: a full session leaves only the user's edited file", async () => {
    sink = await startSink();
    provider = await startScriptedProvider({ protocol: "openai", turns: FIX_SCENARIO });
    const root = mathWorkspace(provider, "openai");
    const before = walk(root);
    const { home, tmp, env } = freshDirs();
    const result = await runCli(["run", "--yes", "make the test pass"], root, { ...env, ...telemetryEnv(sink.url) });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(root, "math.js"), "utf8")).toBe(BUGGY_MATH.replace("a - b", "a + b"));

    expect(walk(root)).toEqual(before); // math.js edited in place; nothing added
    expect(walk(home)).toEqual([]);
    expect(walk(tmp)).toEqual([]);
    expect(sink.requests).toEqual([]);
    expect(provider.requests.length).toBe(FIX_SCENARIO.length);
  }, 30_000);

  it("LSP server: ask, session end, shutdown leave only the user's edited file", async () => {
    await lspSession({});
  }, 30_000);

  it("control: the walk does see files of ours (retention local keeps a session under XDG state)", async () => {
    const { home } = await lspSession({ retention: "local" }, { endSession: false, expectClean: false });
    expect(walk(home).some((p) => p.includes("opencode-lsp"))).toBe(true);
  }, 30_000);
});

async function lspSession(options: Record<string, unknown>, how: { endSession?: boolean; expectClean?: boolean } = {}) {
  {
    sink = await startSink();
    provider = await startScriptedProvider({
      protocol: "openai",
      turns: [
        { toolCalls: [{ id: "c1", name: "read", arguments: { path: "area.ts" } }] },
        { toolCalls: [{ id: "c2", name: "edit", arguments: { path: "area.ts", oldString: "width + height", newString: "width * height" } }] },
        { text: "Fixed: area multiplies." },
      ],
    });
    const root = mkdtempSync(join(tmpdir(), "zero-retention-ws-"));
    const source = "export function area(width: number, height: number): number {\n  return width + height;\n}\n";
    writeFileSync(join(root, "area.ts"), source);
    const before = walk(root);
    const { home, tmp, env } = freshDirs();
    client = new LspTestClient({ cwd: root, env: { ...env, ...telemetryEnv(sink.url) } });
    await client.initialize({
      rootUri: pathToFileURL(root).href,
      capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
      initializationOptions: {
        model: "scripted/test-model",
        providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } },
        permissions: { edit: "allow", bash: "allow" },
        ...options,
      },
    });
    const answer = await client.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "fix area" }] });
    expect(answer.text).toBe("Fixed: area multiplies.");
    await expect.poll(() => readFileSync(join(root, "area.ts"), "utf8")).toContain("width * height");
    if (how.endSession !== false) {
      await client.request("workspace/executeCommand", { command: "opencode.session.end", arguments: [{ sessionId: answer.sessionId }] });
      const list = await client.request("workspace/executeCommand", { command: "opencode.session.list" });
      expect(list).toEqual([]);
    }
    expect(await client.shutdownAndExit()).toBe(0);

    if (how.expectClean !== false) {
      expect(walk(root)).toEqual(before);
      expect(walk(home)).toEqual([]);
      expect(walk(tmp)).toEqual([]);
      expect(sink.requests).toEqual([]);
    }
    return { home, tmp, root };
  }
}

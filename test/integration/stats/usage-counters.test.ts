// Usage counters end to end, over the built server and CLI against a scripted model: with telemetry
// off nothing is counted, kept or served (no file, no listening port); on, after scripted sessions
// the counters — on /metrics and in `opencode-lsp stats` — equal the work done, and the segment and
// region (configured, or from the time zone) filter them.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { FIX_SCENARIO, mathWorkspace, runCli } from "../../support/agent-workspace.ts";
import { freePort, listeningPorts } from "../../support/listening.ts";
import { LspTestClient } from "../../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "../../support/providers/scripted-server.ts";

const SOURCE = "export function area(width: number, height: number): number {\n  return width + height;\n}\n";
const FIX: ScriptedTurn[] = [
  { toolCalls: [{ id: "c1", name: "edit", arguments: { path: "area.ts", oldString: "return width + height;", newString: "return width * height;" } }], usage: { input: 100, output: 10 } },
  { text: "Fixed: area multiplies.", usage: { input: 150, output: 20 } },
];

let client: LspTestClient | undefined;
let provider: ScriptedProvider | undefined;
afterEach(async () => {
  client?.kill();
  await provider?.close();
  client = provider = undefined;
});

/** A home of our own, so the CLI run afterwards reads the same store. */
function home() {
  const dir = mkdtempSync(join(tmpdir(), "usage-home-"));
  return { dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, ".config"), XDG_STATE_HOME: join(dir, ".local", "state") } };
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function startServer(turns: ScriptedTurn[], telemetry: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  provider = await startScriptedProvider({ protocol: "openai", turns });
  const root = mkdtempSync(join(tmpdir(), "usage-ws-"));
  writeFileSync(join(root, "area.ts"), SOURCE);
  client = new LspTestClient({ cwd: root, env });
  await client.initialize({
    rootUri: pathToFileURL(root).href,
    capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
    initializationOptions: {
      model: "scripted/test-model",
      providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } },
      permissions: { edit: "allow", bash: "allow" },
      telemetry,
    },
  });
  const uri = pathToFileURL(join(root, "area.ts")).href;
  await client.openBuffer(uri, "typescript", SOURCE);
  return { client, root };
}

const ask = (c: LspTestClient, prompt: string) => c.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt }] });

/** `opencode-lsp stats ARGS --json` with telemetry enabled in the user config of `env`. */
async function statsJson(env: Record<string, string>, args: string[] = []) {
  mkdirSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp"), { recursive: true });
  writeFileSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp", "config.json"), JSON.stringify({ telemetry: { enabled: true } }));
  const result = await runCli(["stats", "--json", ...args], env.HOME!, env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe("usage counters", () => {
  it("telemetry off: a session counts nothing, writes no counter file, opens no port", async () => {
    const { dir, env } = home();
    const port = await freePort();
    const { client } = await startServer([{ text: "not counted", usage: { input: 10, output: 2 } }], { enabled: false, port }, env);
    const answer = await ask(client, "a prompt");
    expect(answer.text).toBe("not counted");
    expect(listeningPorts(client.child.pid!)).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    expect(await client.shutdownAndExit()).toBe(0);
    expect(filesUnder(dir)).toEqual([]);
    const off = await runCli(["stats"], dir, env);
    expect(off.stdout).toMatch(/^Telemetry is off/);
    expect(filesUnder(dir)).toEqual([]);
  });

  it("telemetry on: the counters equal the work done, and segment and region filter them", async () => {
    const { dir, env } = home();
    const port = await freePort();
    // Run 1, enterprise in europe: a fixing session (one turn, two model calls, one edit), reverted;
    // a second session whose model refuses the key (an auth error).
    const first = await startServer([...FIX, { status: 401, errorMessage: "bad key" }], { enabled: true, port, segment: "enterprise", region: "europe" }, env);
    const fixed = await ask(first.client, "fix area");
    expect(listeningPorts(first.client.child.pid!)).toEqual([port]); // the endpoint starts with the agent, on first use
    expect(fixed.text).toBe("Fixed: area multiplies.");
    expect(await first.client.request("workspace/executeCommand", { command: "opencode.session.revert", arguments: [{ sessionId: fixed.sessionId }] })).toEqual({ reverted: 1 });
    await expect(ask(first.client, "again")).rejects.toThrow(/authentication failed \(401\)/);

    const labels = 'provider="scripted",model="test-model",segment="enterprise",region="europe",workspace="[0-9a-f]{12}"';
    let metrics = "";
    await expect.poll(async () => (metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())), { timeout: 5000 }).toMatch(new RegExp(`opencode_errors_total\\{${labels},kind="auth"\\} 1`));
    for (const [line, value] of [
      [`opencode_sessions_total\\{${labels}\\}`, 2],
      [`opencode_turns_total\\{${labels}\\}`, 2],
      [`opencode_tokens_total\\{${labels},direction="input"\\}`, 250],
      [`opencode_tokens_total\\{${labels},direction="output"\\}`, 30],
      [`opencode_tool_calls_total\\{${labels},tool="edit",status="completed"\\}`, 1],
      [`opencode_edits_total\\{${labels},outcome="applied"\\}`, 1],
      [`opencode_edits_total\\{${labels},outcome="reverted"\\}`, 1],
    ] as const) expect(metrics).toMatch(new RegExp(`^${line} ${value}$`, "m"));
    expect(metrics).not.toMatch(/fix area|Fixed: area|bad key/);
    expect(await first.client.shutdownAndExit()).toBe(0);

    // The store is one file, 0600, and `stats` sums it.
    const store = join(env.XDG_STATE_HOME, "opencode-lsp", "usage.json");
    expect(filesUnder(dir)).toEqual([store]);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    const afterFirst = await statsJson(env);
    expect(afterFirst.totals).toEqual({ sessions: 2, turns: 2, inputTokens: 250, outputTokens: 30, cachedTokens: 0, toolCalls: 1, toolFailures: 0, editsApplied: 1, editsAccepted: 0, editsRejected: 0, editsReverted: 1, errors: 1 });
    expect(afterFirst.errors).toEqual([{ kind: "auth", count: 1 }]);
    expect(afterFirst.tools).toEqual([{ tool: "edit", completed: 1, failed: 0 }]);

    // Run 2, hobbyist, region from the time zone (Asia/Tokyo → asia): one session, one turn.
    const second = await startServer([{ text: "hello", usage: { input: 40, output: 4 } }], { enabled: true, segment: "hobbyist" }, { ...env, TZ: "Asia/Tokyo" });
    expect(listeningPorts(second.client.child.pid!)).toEqual([]); // no port configured: no endpoint
    await ask(second.client, "hi");
    expect(await second.client.shutdownAndExit()).toBe(0);

    const all = await statsJson(env);
    expect(all.options.segment).toEqual(["enterprise", "hobbyist"]);
    expect(all.options.region).toEqual(["asia", "europe"]);
    expect([all.totals.sessions, all.totals.turns, all.totals.inputTokens]).toEqual([3, 3, 290]);
    const enterprise = await statsJson(env, ["--segment", "enterprise"]);
    expect([enterprise.totals.sessions, enterprise.totals.turns, enterprise.totals.inputTokens, enterprise.totals.errors]).toEqual([2, 2, 250, 1]);
    const asia = await statsJson(env, ["--region", "asia"]);
    expect([asia.totals.sessions, asia.totals.turns, asia.totals.inputTokens, asia.totals.outputTokens, asia.totals.errors]).toEqual([1, 1, 40, 4, 0]);
    expect(asia.table.map((r: any) => [r.segment, r.provider, r.model])).toEqual([["hobbyist", "scripted", "test-model"]]);
    expect((await statsJson(env, ["--segment", "hobbyist", "--region", "europe"])).totals.sessions).toBe(0);

    // The terminal view of the same numbers, then --erase.
    const table = await runCli(["stats", "--segment", "enterprise"], dir, env);
    expect(table.stdout).toMatch(/^enterprise\s+scripted\s+test-model\s+2\s+2\s+250\s+30\s+0\s+1\s+1\s+0\s+0\s+1\s+1$/m);
    const erased = await runCli(["stats", "--erase"], dir, env);
    expect(erased.stdout).toBe(`Erased the usage store (${store}).\n`);
    expect(filesUnder(join(dir, ".local"))).toEqual([]);
  }, 60_000);

  it("opencode-lsp run counts its session too", async () => {
    const { env } = home();
    provider = await startScriptedProvider({ protocol: "openai", turns: FIX_SCENARIO });
    const root = mathWorkspace(provider, "openai");
    writeFileSync(join(root, "opencode.json"), JSON.stringify({ ...JSON.parse((await import("node:fs")).readFileSync(join(root, "opencode.json"), "utf8")), telemetry: { enabled: true, segment: "ci" } }));
    const run = await runCli(["run", "--yes", "fix add"], root, env);
    expect(run.code, run.stderr).toBe(0);
    const view = await runCli(["stats", "--json"], root, env);
    const { totals, tools, options } = JSON.parse(view.stdout);
    // (run writes edits straight to disk and publishes no `edit` updates: edits applied count the editor fronts.)
    expect(totals).toMatchObject({ sessions: 1, turns: 1, inputTokens: 900, outputTokens: 12, cachedTokens: 300, toolCalls: 5, errors: 0 });
    expect(Object.fromEntries(tools.map((t: any) => [t.tool, t.completed + t.failed]))).toEqual({ read: 1, edit: 2, bash: 2 });
    expect(options.segment).toEqual(["ci"]);
  }, 60_000);
});

// Usage counters (telemetry.enabled) from the ACP front, as the LSP front and `run` count: two
// workspace roots served by one `opencode-lsp acp`, a session and a turn in each; after the client
// leaves, `opencode-lsp stats` shows exactly that work (each root's runtime counts its own
// sessions, none twice). With telemetry off nothing is written.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../support/agent-workspace.ts";
import { acpFixtures, acpWorkspace } from "../../support/acp-client.ts";

const fixtures = acpFixtures();

function home() {
  const dir = mkdtempSync(join(tmpdir(), "acp-usage-home-"));
  return { HOME: dir, XDG_CONFIG_HOME: join(dir, ".config"), XDG_STATE_HOME: join(dir, ".local", "state") };
}

async function twoRootsOneTurnEach(telemetry: Record<string, unknown>, env: Record<string, string>) {
  const provider = await fixtures.provider([{ text: "one", usage: { input: 100, output: 10 } }, { text: "two", usage: { input: 50, output: 5 } }]);
  const first = acpWorkspace({}, { alpha: provider.baseURLs.openai }, { telemetry });
  const second = acpWorkspace({}, { alpha: provider.baseURLs.openai }, { telemetry });
  const client = await fixtures.client(first, { env });
  for (const root of [first, second]) {
    const { sessionId } = await client.newSession(root);
    expect(await client.prompt(sessionId, "hello")).toEqual({ stopReason: "end_turn" });
  }
  client.child.stdin.end(); // the client leaves: the counts are flushed on the way out
  expect(await client.exited).toBe(0);
}

describe("acp: usage counters", () => {
  it("count each root's sessions, turns and tokens once", async () => {
    const env = home();
    await twoRootsOneTurnEach({ enabled: true, segment: "team-a" }, env);
    const { totals, table } = await statsJson(env);
    expect(table.map((r: { segment: string; model: string }) => [r.segment, r.model])).toEqual([["team-a", "alpha-model"]]);
    expect([totals.sessions, totals.turns, totals.inputTokens, totals.outputTokens]).toEqual([2, 2, 150, 15]);
  }, 40_000);

  it("telemetry off: nothing is written", async () => {
    const env = home();
    await twoRootsOneTurnEach({ enabled: false }, env);
    expect(existsSync(join(env.XDG_STATE_HOME, "opencode-lsp", "usage.json"))).toBe(false);
  }, 40_000);
});

/** `opencode-lsp stats --json` in that home (telemetry is on in the workspaces; the CLI reads the user config, so it says so too). */
async function statsJson(env: Record<string, string>) {
  mkdirSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp"), { recursive: true });
  writeFileSync(join(env.XDG_CONFIG_HOME!, "opencode-lsp", "config.json"), JSON.stringify({ telemetry: { enabled: true } }));
  const result = await runCli(["stats", "--json"], env.HOME!, env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

// One core, several fronts: two sessions editing one file merge (a session writing from an old read
// does not undo the other's edit), in one process through the client's buffers and across two
// `opencode-lsp acp` processes on the same workspace through the disk; and the same scenario driven
// from the LSP front and from ACP leaves the same files and shows the model the same tool results.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as acp from "@agentclientprotocol/sdk";
import { describe, expect, it } from "vitest";
import { acpFixtures, acpWorkspace, type AcpTestClient } from "../../support/acp-client.ts";
import { FIX_SCENARIO, mathWorkspace } from "../../support/agent-workspace.ts";
import { LspTestClient } from "../../support/lsp-client.ts";
import type { ScriptedProvider, ScriptedTurn } from "../../support/providers/scripted-server.ts";

const TWO_LINES = "const first = 1;\nconst second = 2;\n";
const BOTH = "const first = 10;\nconst second = 20;\n";

const fixtures = acpFixtures();
const provider = (turns?: ScriptedTurn[]) => fixtures.provider(turns);
const acpClient = (root: string, capabilities?: acp.ClientCapabilities): Promise<AcpTestClient> => fixtures.client(root, capabilities ? { capabilities } : {});

const read: ScriptedTurn[] = [{ toolCalls: [{ id: "r", name: "read", arguments: { path: "lines.ts" } }] }, { text: "read it" }];
/** The whole file as the session last read it (TWO_LINES), with one line changed. */
const write = (content: string): ScriptedTurn[] => [{ toolCalls: [{ id: "w", name: "write", arguments: { path: "lines.ts", content } }] }, { text: "wrote it" }];

describe("acp: two sessions on one file", () => {
  it("in one process, through the client's buffers: both edits survive", async () => {
    const [alpha, beta] = [await provider(), await provider()];
    const root = acpWorkspace({ "lines.ts": TWO_LINES }, { alpha: alpha.baseURLs.openai, beta: beta.baseURLs.openai });
    const path = join(root, "lines.ts");
    const client = await acpClient(root);
    const a = (await client.newSession(root)).sessionId;
    const b = (await client.newSession(root)).sessionId;
    await client.agent.request("session/set_config_option", { sessionId: b, configId: "model", value: "beta/beta-model" });

    alpha.setTurns(read);
    beta.setTurns(read);
    await Promise.all([client.prompt(a, "read"), client.prompt(b, "read")]); // both saw TWO_LINES
    alpha.setTurns(write(TWO_LINES.replace("= 1", "= 10")));
    await client.prompt(a, "change first");
    beta.setTurns(write(TWO_LINES.replace("= 2", "= 20"))); // written from its old read
    await client.prompt(b, "change second");

    expect(client.buffers.get(path)).toBe(BOTH);
    expect(client.writes.map((w) => w.content)).toEqual([TWO_LINES.replace("= 1", "= 10"), BOTH]);
    expect(readFileSync(path, "utf8")).toBe(TWO_LINES); // the buffers, not the disk
  });

  it("across two acp processes on the same workspace, through the disk; both serve at once", async () => {
    const [alpha, beta] = [await provider(), await provider()];
    const root = acpWorkspace({ "lines.ts": TWO_LINES }, { alpha: alpha.baseURLs.openai, beta: beta.baseURLs.openai });
    const noFs = {}; // clients without fs/terminal: the processes meet on disk
    const [one, two] = [await acpClient(root, noFs), await acpClient(root, noFs)];
    const a = (await one.newSession(root)).sessionId;
    const b = (await two.newSession(root)).sessionId;
    await two.agent.request("session/set_config_option", { sessionId: b, configId: "model", value: "beta/beta-model" });

    alpha.setTurns(read);
    beta.setTurns(read);
    expect(await Promise.all([one.prompt(a, "read"), two.prompt(b, "read")])).toEqual([{ stopReason: "end_turn" }, { stopReason: "end_turn" }]);
    alpha.setTurns(write(TWO_LINES.replace("= 1", "= 10")));
    await one.prompt(a, "change first");
    beta.setTurns(write(TWO_LINES.replace("= 2", "= 20")));
    await two.prompt(b, "change second");
    expect(readFileSync(join(root, "lines.ts"), "utf8")).toBe(BOTH);
  });
});

/** Every file of a workspace (but the config, which names the provider's port) and its text. */
function filesOf(root: string): Record<string, string> {
  return Object.fromEntries(readdirSync(root).filter((f) => f !== "opencode.json").sort().map((f) => [f, readFileSync(join(root, f), "utf8")]));
}

/** What the model was shown of each tool result in the last request. */
function toolResults(p: ScriptedProvider): string[] {
  return (p.requests.at(-1)!.body.messages as { role: string; content: string }[]).filter((m) => m.role === "tool").map((m) => m.content);
}

describe("one core: the LSP front and ACP", () => {
  it("the same scenario leaves the same files and the same tool results", async () => {
    const viaLsp = await provider(FIX_SCENARIO);
    const lspRoot = mathWorkspace(viaLsp, "openai");
    const lsp = fixtures.track(new LspTestClient({ cwd: lspRoot }));
    await lsp.initialize({ rootUri: pathToFileURL(lspRoot).href, initializationOptions: { permissions: { edit: "allow", bash: "allow" } } });
    await lsp.request("workspace/executeCommand", { command: "opencode.ask", arguments: [{ prompt: "make the test pass" }] });

    const viaAcp = await provider(FIX_SCENARIO);
    const acpRoot = mathWorkspace(viaAcp, "openai");
    const acp = await acpClient(acpRoot, {});
    acp.permission = () => "allow_once";
    const { sessionId } = await acp.newSession(acpRoot);
    expect(await acp.prompt(sessionId, "make the test pass")).toEqual({ stopReason: "end_turn" });

    expect(filesOf(acpRoot)).toEqual(filesOf(lspRoot));
    expect(filesOf(acpRoot)["math.js"]).toContain("return a + b;");
    expect(toolResults(viaAcp)).toEqual(toolResults(viaLsp));
    expect(toolResults(viaAcp).join("\n")).toContain("FAIL: add(2, 3) returned 6");
  }, 60_000);
});

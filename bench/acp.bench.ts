// ACP mode (issue 14), against the built binary over stdio: spawn → initialize response for
// `opencode-lsp acp` against the language server's own (`--stdio`) in the same run; and the delay a
// streamed token takes from the scripted model's socket to an agent_message_chunk at the ACP client,
// against the same first chunk read straight through the openai SDK in this process, and against the
// LSP front's opencode/session/update for the same chunk (the same core behind another front).
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { acpWorkspace, AcpTestClient } from "../test/support/acp-client.ts";
import { isolatedEnv, LspTestClient, SERVER_BIN } from "../test/support/lsp-client.ts";
import { startScriptedProvider, type ScriptedTurn } from "../test/support/providers/scripted-server.ts";
import { median, quantile } from "./support/stats.ts";
import { firstChunkViaLsp, firstChunkViaSdk } from "./support/first-chunk.ts";
import type { BenchRow } from "./types.ts";

export const title = "acp: spawn → initialize, first model byte → agent_message_chunk";

const SPAWN_ROUNDS = 9;
const TOKEN_ROUNDS = 15;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** ms from spawn to the first byte of the initialize response. */
function spawnToInitialize(args: string[], request: string, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [SERVER_BIN, ...args], { cwd, env: { ...isolatedEnv(), OPENCODE_LSP_LOG_LEVEL: "warn" }, stdio: ["pipe", "pipe", "ignore"] });
    child.stdout.once("data", () => {
      resolve(performance.now() - started);
      child.kill("SIGKILL");
    });
    child.once("error", reject);
    child.stdin.write(request);
  });
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const turn: ScriptedTurn = { text: ["first", " second", " third"], chunkDelayMs: 15, usage: { input: 10, output: 3 } };
  const provider = await startScriptedProvider({ protocol: "openai", turns: [turn] });
  const root = acpWorkspace({ "a.txt": "a\n" }, { alpha: provider.baseURLs.openai });
  try {
    // --- spawn → initialize ----------------------------------------------------------------------
    const acpInit = `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 1, clientCapabilities: {} } })}\n`;
    const lspBody = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
    const lspInit = `Content-Length: ${Buffer.byteLength(lspBody)}\r\n\r\n${lspBody}`;
    const acp: number[] = [];
    const lsp: number[] = [];
    for (let i = 0; i < SPAWN_ROUNDS; i++) {
      // Alternate, so both see the same machine state.
      acp.push(await spawnToInitialize(["acp"], acpInit, root));
      lsp.push(await spawnToInitialize(["--stdio"], lspInit, root));
    }
    rows.push({ name: `spawn → initialize response, opencode-lsp acp (median of ${SPAWN_ROUNDS})`, value: `${median(acp).toFixed(1)} ms`, target: "< 150 ms" });
    rows.push({ name: "  baseline: spawn → initialize response, opencode-lsp --stdio, same run", value: `${median(lsp).toFixed(1)} ms` });
    rows.push({ name: "  ratio (acp / lsp)", value: `${(median(acp) / median(lsp)).toFixed(2)}x` });

    // --- first model byte → agent_message_chunk --------------------------------------------------
    const started = performance.now();
    const client = new AcpTestClient({ cwd: root, env: { OPENCODE_LSP_LOG_LEVEL: "warn" }, capabilities: {} });
    const lspClient = new LspTestClient({ cwd: root, env: { OPENCODE_LSP_LOG_LEVEL: "warn" } });
    try {
      await client.initialize();
      const { sessionId } = await client.newSession(root);
      let firstChunkAt: number | undefined;
      client.onUpdate = (n) => {
        if (n.sessionId === sessionId && n.update.sessionUpdate === "agent_message_chunk" && firstChunkAt === undefined) firstChunkAt = performance.now();
      };
      const viaAcp = async (): Promise<{ overhead: number; total: number }> => {
        firstChunkAt = undefined;
        const before = provider.requests.length;
        const t = performance.now();
        const result = await client.prompt(sessionId, "say three words");
        if (result.stopReason !== "end_turn") throw new Error(`prompt: ${result.stopReason}`);
        const written = provider.requests[before]?.firstChunkAt;
        if (written === undefined || firstChunkAt === undefined) throw new Error("no first chunk seen");
        return { overhead: firstChunkAt - written, total: firstChunkAt - t };
      };
      await lspClient.initialize({ rootUri: pathToFileURL(root).href });
      const viaLsp = await firstChunkViaLsp(lspClient, provider);
      const viaSdk = firstChunkViaSdk(provider);
      // The first prompt starts the session's worker; later ones find it running (idle window 30 s).
      const cold = await viaAcp();
      rows.push({ name: "spawn → initialize → session/new → first agent_message_chunk, cold (worker start included)", value: `${(performance.now() - started).toFixed(1)} ms` });
      rows.push({ name: "  of which: prompt sent → first agent_message_chunk, cold", value: `${cold.total.toFixed(1)} ms` });
      await viaAcp();
      await viaLsp();
      await viaLsp();
      await viaSdk();
      const server: number[] = [];
      const totals: number[] = [];
      const direct: number[] = [];
      const viaLspFront: number[] = [];
      for (let i = 0; i < TOKEN_ROUNDS; i++) {
        const round = async () => {
          const r = await viaAcp();
          server.push(r.overhead);
          totals.push(r.total);
        };
        if (i % 2 === 0) {
          await round();
          viaLspFront.push(await viaLsp());
          direct.push(await viaSdk());
        } else {
          direct.push(await viaSdk());
          viaLspFront.push(await viaLsp());
          await round();
        }
        await sleep(10);
      }
      const s = median(server);
      const d = median(direct);
      rows.push({ name: `first chunk written by the model → agent_message_chunk at the ACP client (median of ${TOKEN_ROUNDS})`, value: `${s.toFixed(2)} ms` });
      rows.push({ name: "  baseline: first chunk written → openai SDK yields it, in-process", value: `${d.toFixed(2)} ms` });
      rows.push({ name: "  added by opencode-lsp acp (ACP − SDK)", value: `${(s - d).toFixed(2)} ms`, target: "< 5 ms" });
      rows.push({ name: "  added, p90 over rounds (ACP p90 − SDK median)", value: `${(quantile(server, 0.9) - d).toFixed(2)} ms` });
      rows.push({ name: "  the LSP front, same chunk → opencode/session/update (median)", value: `${median(viaLspFront).toFixed(2)} ms` });
      rows.push({ name: "  ACP front − LSP front", value: `${(s - median(viaLspFront)).toFixed(2)} ms` });
      rows.push({ name: "  prompt sent → first agent_message_chunk, warm (median)", value: `${median(totals).toFixed(1)} ms` });
    } finally {
      client.kill();
      lspClient.kill();
    }
  } finally {
    await provider.close();
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

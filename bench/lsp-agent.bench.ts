// The agent in the editor (issue 6), against the built server over stdio: code-action listing on a
// 5k-line file with 200 diagnostics against `opencode/health` round trips (the minimal request),
// and the delay a streamed token takes from the provider's socket to an `opencode/session/update`
// at the client, against the same first chunk read straight through the openai SDK in this process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspTestClient } from "../test/support/lsp-client.ts";
import { startScriptedProvider, type ScriptedTurn } from "../test/support/providers/scripted-server.ts";
import { median, percentiles, quantile } from "./support/stats.ts";
import { firstChunkViaLsp, firstChunkViaSdk } from "./support/first-chunk.ts";
import type { BenchRow } from "./types.ts";

export const title = "lsp-agent: code-action listing, first token → session/update";

const LINES = 5_000;
const DIAGNOSTICS = 200;
const ACTION_REQUESTS = 300;
const TOKEN_ROUNDS = 15;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const turn: ScriptedTurn = { text: ["first", " second", " third"], chunkDelayMs: 15, usage: { input: 10, output: 3 } };
  const provider = await startScriptedProvider({ protocol: "openai", turns: [turn] });
  const dir = mkdtempSync(join(tmpdir(), "lsp-agent-bench-"));
  const file = join(dir, "big.ts");
  const text = Array.from({ length: LINES }, (_, i) => (i % 97 === 0 ? `// @opencode document function f${i}` : `export function f${i}(x: number): number { return x + ${i}; }`)).join("\n") + "\n";
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const client = new LspTestClient({ cwd: dir, env: { OPENCODE_LSP_LOG_LEVEL: "warn" } });
  try {
    await client.initialize({
      rootUri: pathToFileURL(dir).href,
      capabilities: { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } }, textDocument: { codeAction: { resolveSupport: { properties: ["edit"] } } } },
      initializationOptions: { model: "scripted/m", providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "k" } } },
    });
    await client.openBuffer(uri, "typescript", text);

    // --- code actions ----------------------------------------------------------------------------
    const diagnostics = Array.from({ length: DIAGNOSTICS }, (_, i) => {
      const line = Math.floor(((i + 0.5) * LINES) / DIAGNOSTICS);
      return { range: { start: { line, character: 7 }, end: { line, character: 20 } }, message: `diagnostic ${i}: something is off`, severity: 1, source: "bench" };
    });
    // Ranges as editors send them: a cursor on a diagnostic's line or a few-line selection, with the
    // diagnostics that overlap it; every tenth request carries all 200 (clients that send them all).
    const requests = Array.from({ length: ACTION_REQUESTS }, (_, i) => {
      const d = diagnostics[(i * 37) % DIAGNOSTICS]!;
      const line = d.range.start.line;
      const range = i % 2 === 0 ? { start: { line, character: 9 }, end: { line, character: 9 } } : { start: { line: Math.max(0, line - 2), character: 0 }, end: { line: line + 2, character: 10 } };
      const inRange = diagnostics.filter((x) => x.range.start.line >= range.start.line && x.range.start.line <= range.end.line);
      return { textDocument: { uri }, range, context: { diagnostics: i % 10 === 9 ? diagnostics : inRange } };
    });
    const actionTimes: number[] = [];
    const healthTimes: number[] = [];
    let offered = 0;
    for (let i = 0; i < 30; i++) {
      await client.request("textDocument/codeAction", requests[i]);
      await client.request("opencode/health");
    }
    for (let i = 0; i < ACTION_REQUESTS; i++) {
      // Alternate, so both see the same machine state.
      let t = performance.now();
      const actions = await client.request<unknown[]>("textDocument/codeAction", requests[i]);
      actionTimes.push(performance.now() - t);
      offered += actions.length;
      t = performance.now();
      await client.request("opencode/health");
      healthTimes.push(performance.now() - t);
    }
    if (offered === 0) throw new Error("no code actions offered");
    rows.push({ name: `code-action listing, ${LINES / 1000}k-line file, ${DIAGNOSTICS} diagnostics (${ACTION_REQUESTS} requests, ${(offered / ACTION_REQUESTS).toFixed(1)} actions each)`, value: percentiles(actionTimes), target: "p95 < 5 ms" });
    rows.push({ name: "  baseline: opencode/health round trip, same run", value: percentiles(healthTimes) });
    rows.push({ name: "  ratio p50 / p95 (code actions / health)", value: `${(quantile(actionTimes, 0.5) / quantile(healthTimes, 0.5)).toFixed(2)}x / ${(quantile(actionTimes, 0.95) / quantile(healthTimes, 0.95)).toFixed(2)}x` });

    // --- first token → session/update ------------------------------------------------------------
    const viaServer = await firstChunkViaLsp(client, provider);
    const viaSdk = firstChunkViaSdk(provider);
    // Warm-up: the first prompt starts the session's worker; later prompts find it running (idle window 30 s).
    await viaServer();
    await viaServer();
    await viaSdk();
    const server: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < TOKEN_ROUNDS; i++) {
      if (i % 2 === 0) {
        server.push(await viaServer());
        direct.push(await viaSdk());
      } else {
        direct.push(await viaSdk());
        server.push(await viaServer());
      }
      await sleep(10);
    }
    const s = median(server);
    const d = median(direct);
    rows.push({ name: `first chunk written → first message_chunk update at the client, via the server (median of ${TOKEN_ROUNDS})`, value: `${s.toFixed(2)} ms` });
    rows.push({ name: "  baseline: first chunk written → openai SDK yields it, in-process", value: `${d.toFixed(2)} ms` });
    rows.push({ name: "  overhead over the provider stream (server − SDK)", value: `${(s - d).toFixed(2)} ms`, target: "< 5 ms" });
    rows.push({ name: "  overhead p90 over rounds (server p90 − SDK median)", value: `${(quantile(server, 0.9) - d).toFixed(2)} ms` });
  } finally {
    client.kill();
    await provider.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

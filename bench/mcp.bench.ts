// MCP (issue 15): what our agent tool path adds to an MCP tool call, against calling the same
// server (server-everything from npm, its `echo` tool) with the SDK's Client directly, measured in
// the same run in alternating rounds. The agent path is the registry's: input validated against
// the server's JSON Schema, permission checked, doom-loop guard, the call through the hub, the
// result turned into text and capped. Once in this thread (as in `opencode-lsp run`), once through
// the worker RPC the LSP front uses (answerMcp/RemoteMcp over a MessageChannel: structured clones
// and message hops, in one thread). Also: start + list tools, hub against the SDK directly.
import { MessageChannel } from "node:worker_threads";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpHub } from "../server/mcp/hub.ts";
import { answerMcp, RemoteMcp } from "../server/mcp/remote.ts";
import type { McpSessionAccess } from "../server/mcp/types.ts";
import { Rpc } from "../server/sessions/rpc.ts";
import { mcpTools } from "../server/tools/mcp-tools.ts";
import { ToolRegistry } from "../server/tools/registry.ts";
import { ToolSession, type ToolContext } from "../server/tools/types.ts";
import { DiskWorkspaceFiles } from "../server/tools/workspace-files.ts";
import { EVERYTHING } from "../test/support/mcp.ts";
import { median } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "mcp: tool call overhead of the agent path vs the SDK client directly";

const CALLS = 200;
const ROUNDS = 7;
const START_ROUNDS = 7;

const root = realpathSync(mkdtempSync(join(tmpdir(), "mcp-bench-")));

async function direct(): Promise<Client> {
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(new StdioClientTransport({ command: EVERYTHING[0]!, args: EVERYTHING.slice(1), stderr: "ignore" }));
  return client;
}

/** The LSP front's path: the worker's RemoteMcp, the main thread's answerMcp, over a port pair. */
function acrossRpc(access: McpSessionAccess): { access: McpSessionAccess; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const main = new Rpc(port1);
  main.handle("mcp", answerMcp(access));
  const worker = new Rpc(port2);
  return { access: new RemoteMcp((call) => worker.call("mcp", call)), close: () => (port1.close(), port2.close()) };
}

async function registryOver(access: McpSessionAccess): Promise<ToolRegistry> {
  const { tools } = await mcpTools(access);
  return new ToolRegistry({ config: { permissions: { edit: "deny", bash: "deny", read: "allow", webfetch: "deny", mcp: "allow" } } }).withTools(tools);
}

/** Mean ms per call over CALLS calls; each message differs (the doom-loop guard would ask on repeats). */
async function perCall(call: (message: string) => Promise<string>, round: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const message = `r${round} c${i}`;
    const out = await call(message);
    if (!out.includes(message)) throw new Error(`unexpected result: ${out.slice(0, 200)}`);
  }
  return (performance.now() - started) / CALLS;
}

async function startup(rows: BenchRow[]): Promise<void> {
  const viaHub: number[] = [];
  const viaSdk: number[] = [];
  const sdkOnce = async () => {
    const t = performance.now();
    const client = await direct();
    await client.listTools();
    viaSdk.push(performance.now() - t);
    await client.close();
  };
  const hubOnce = async () => {
    const t = performance.now();
    const hub = new McpHub({ root, config: () => ({ mcp: { everything: { type: "local", command: EVERYTHING } } }) });
    await hub.tools();
    viaHub.push(performance.now() - t);
    await hub.close();
  };
  // Alternating which goes first, so both see the same machine state.
  for (let i = 0; i < START_ROUNDS; i++) for (const once of i % 2 ? [hubOnce, sdkOnce] : [sdkOnce, hubOnce]) await once();
  rows.push({ name: "start + initialize + list tools, SDK Client + StdioClientTransport", value: `${median(viaSdk).toFixed(1)} ms` });
  rows.push({ name: "start + initialize + list tools, hub (sandboxed child)", value: `${median(viaHub).toFixed(1)} ms` });
  rows.push({ name: "  ratio (hub / SDK)", value: `${(median(viaHub) / median(viaSdk)).toFixed(2)}x` });
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const client = await direct();
  const hub = new McpHub({ root, config: () => ({ mcp: { everything: { type: "local", command: EVERYTHING } } }) });
  const rpc = acrossRpc(hub.forSession("bench"));
  try {
    const inline = await registryOver(hub.forSession("bench"));
    const worker = await registryOver(rpc.access);
    const files = new DiskWorkspaceFiles(root);
    const ctx = (): ToolContext => ({ root, files, signal: new AbortController().signal, session: new ToolSession("bench") });
    const paths = {
      sdk: async (message: string) => JSON.stringify((await client.callTool({ name: "echo", arguments: { message } })).content),
      inline: async (message: string) => (await inline.run("everything_echo", { message }, ctx())).output,
      worker: async (message: string) => (await worker.run("everything_echo", { message }, ctx())).output,
    };
    const samples: Record<keyof typeof paths, number[]> = { sdk: [], inline: [], worker: [] };
    for (const [, call] of Object.entries(paths)) await perCall(call, -1); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, call] of Object.entries(paths)) samples[name as keyof typeof paths].push(await perCall(call, round));
    }
    const sdk = median(samples.sdk);
    const inl = median(samples.inline);
    const wrk = median(samples.worker);
    rows.push({ name: `echo call, SDK Client directly (mean of ${CALLS}, median of ${ROUNDS} rounds)`, value: `${sdk.toFixed(3)} ms` });
    rows.push({ name: "echo call, agent tool path in this thread (run)", value: `${inl.toFixed(3)} ms` });
    rows.push({ name: "  added by the agent path", value: `${(inl - sdk).toFixed(3)} ms`, target: "< 2 ms" });
    rows.push({ name: "  ratio (agent path / SDK)", value: `${(inl / sdk).toFixed(2)}x` });
    rows.push({ name: "echo call, agent tool path through the worker RPC (LSP front)", value: `${wrk.toFixed(3)} ms` });
    rows.push({ name: "  added by the agent path + RPC", value: `${(wrk - sdk).toFixed(3)} ms`, target: "< 2 ms" });
  } finally {
    rpc.close();
    await client.close();
    await hub.close();
  }
  await startup(rows);
  return rows;
}

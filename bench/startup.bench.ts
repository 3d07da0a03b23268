// Startup: time from spawn to the initialize response, and idle RSS after it, for opencode-lsp
// and for typescript-language-server (the reference), measured in the same run.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import type { BenchRow } from "./types.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = 7;

export const title = "startup: spawn → initialize response, idle RSS";

const servers = {
  "opencode-lsp": [join(root, "dist", "main.js"), "--stdio"],
  "typescript-language-server": [join(root, "node_modules", "typescript-language-server", "lib", "cli.mjs"), "--stdio"],
};

interface Sample {
  ms: number;
  rssMb: number;
}

async function once(args: string[]): Promise<Sample> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, stdio: ["pipe", "pipe", "ignore"], env: { ...process.env, OPENCODE_LSP_LOG_LEVEL: "warn" } });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  await connection.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(root).href, capabilities: {} });
  const ms = performance.now() - started;
  await connection.sendNotification("initialized", {});
  await new Promise((r) => setTimeout(r, 500)); // idle
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
  await connection.sendRequest("shutdown").catch(() => undefined);
  await connection.sendNotification("exit").catch(() => undefined);
  connection.dispose();
  child.kill();
  return { ms, rssMb: rssKb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchRow[]> {
  const samples: Record<string, Sample[]> = { "opencode-lsp": [], "typescript-language-server": [] };
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate, so both see the same machine state.
    for (const [name, args] of Object.entries(servers)) samples[name]!.push(await once(args));
  }
  const ours = samples["opencode-lsp"]!;
  const ref = samples["typescript-language-server"]!;
  const ms = (xs: Sample[]) => median(xs.map((s) => s.ms));
  const rss = (xs: Sample[]) => median(xs.map((s) => s.rssMb));
  return [
    { name: "spawn → initialize, opencode-lsp", value: `${ms(ours).toFixed(1)} ms`, target: "< 150 ms" },
    { name: "spawn → initialize, typescript-language-server", value: `${ms(ref).toFixed(1)} ms` },
    { name: "ratio (opencode-lsp / ts-ls)", value: `${(ms(ours) / ms(ref)).toFixed(2)}x` },
    { name: "idle RSS, opencode-lsp", value: `${rss(ours).toFixed(1)} MB`, target: "< 60 MB" },
    { name: "idle RSS, typescript-language-server", value: `${rss(ref).toFixed(1)} MB` },
    { name: "RSS ratio (opencode-lsp / ts-ls)", value: `${(rss(ours) / rss(ref)).toFixed(2)}x` },
  ];
}

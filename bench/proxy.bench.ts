// The cost of fronting: hover, definition and completion latency through opencode-lsp (the built
// server with a typescript-language-server proxy entry) against the same requests sent straight to
// a typescript-language-server, in the same run, on the same project, alternating request by
// request so both see the same machine state. One request in flight at a time; the figures are
// client-side round trips. "ratio" is opencode-lsp's percentile over the direct one, "added" their
// difference. Measured twice: with the machine as it is ("idle") and with one more process spinning
// on a core ("busy"), as when the editor or a build keeps the second core.
//
// A byte relay (bench/support/byte-relay.ts: the same server behind a process that copies bytes and
// parses nothing) is measured beside them: the floor of any process in between, and so how much of
// what opencode-lsp adds is its own work.
//
// PROXY_BENCH_BASELINE=path/to/an/older/dist/main.js adds that build as a third client, interleaved
// with the other two (before/after comparisons in one run). PROXY_BENCH_ROUNDS sets the rounds.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { quantile } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const ROUNDS = Number(process.env.PROXY_BENCH_ROUNDS) || 300;
const WARMUP = 30;

export const title = "proxy: added latency through opencode-lsp vs typescript-language-server directly";

const TS_LS = [process.execPath, join(repo, "node_modules", "typescript-language-server", "lib", "cli.mjs"), "--stdio"];
const TSSERVER = join(repo, "node_modules", "typescript", "lib", "tsserver.js");
const PROXY = { typescript: { command: TS_LS, filetypes: ["typescript"], initializationOptions: { tsserver: { path: TSSERVER } } } };

/** A file with classes, functions and calls: the positions below point into its last lines. */
function source(): string {
  const parts: string[] = [];
  for (let i = 0; i < 40; i++) {
    parts.push(`/** Shape number ${i}. */
export class Shape${i} {
  constructor(readonly width: number, readonly height: number) {}
  area(): number { return this.width * this.height; }
  scale(by: number): Shape${i} { return new Shape${i}(this.width * by, this.height * by); }
}
export function make${i}(size: number): Shape${i} { return new Shape${i}(size, size + ${i}); }
`);
  }
  parts.push(`const shape = make7(3);\nconst total = shape.area() + make12(2).scale(2).area();\nconst other = m;\nshape.\n`);
  return parts.join("\n");
}

interface Client {
  name: string;
  child: ChildProcess;
  connection: MessageConnection;
}

async function connect(name: string, args: string[], root: string, initializationOptions: unknown): Promise<Client> {
  const [cmd, ...rest] = args;
  const home = mkdtempSync(join(tmpdir(), "proxy-bench-home-"));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local", "share"), OPENCODE_LSP_LOG_LEVEL: "warn" };
  const child = spawn(cmd!, rest, { cwd: root, stdio: ["pipe", "pipe", "ignore"], env, detached: true });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.onRequest(() => null);
  const loaded = new Promise<void>((resolve) =>
    connection.onNotification("textDocument/publishDiagnostics", (p: { diagnostics: unknown[] }) => {
      if (p.diagnostics) resolve();
    }),
  );
  connection.listen();
  await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: "bench" }],
    capabilities: {
      textDocument: {
        hover: { contentFormat: ["markdown", "plaintext"] },
        completion: { completionItem: { snippetSupport: true } },
        definition: { linkSupport: true },
        publishDiagnostics: {},
      },
    },
    initializationOptions,
  });
  await connection.sendNotification("initialized", {});
  const uri = pathToFileURL(join(root, "src", "shapes.ts")).href;
  await connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "typescript", version: 1, text: source() } });
  await loaded; // the project is loaded
  return { name, child, connection };
}

async function close(client: Client): Promise<void> {
  await Promise.race([client.connection.sendRequest("shutdown").catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
  await client.connection.sendNotification("exit").catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  client.connection.dispose();
  try {
    process.kill(-client.child.pid!, "SIGKILL");
  } catch {
    // gone
  }
}

/** One process spinning on a core until stopped. */
function busyCore(): () => void {
  const child = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
  return () => child.kill("SIGKILL");
}

export async function run(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), "proxy-bench-"));
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2022" }, include: ["src"] }));
  const text = source();
  writeFileSync(join(root, "src", "shapes.ts"), text);
  const uri = pathToFileURL(join(root, "src", "shapes.ts")).href;
  const lines = text.split("\n");
  const last = lines.length - 2; // "shape."
  const at = (line: number, character: number) => ({ textDocument: { uri }, position: { line, character } });
  const requests: Record<string, ReturnType<typeof at>[]> = {
    hover: [at(last - 2, 8), at(last - 2, 22), at(last - 2, 32), at(last - 3, 15)],
    definition: [at(last - 2, 15), at(last - 2, 30), at(last - 2, 40), at(last - 3, 15)],
    completion: [at(last, 6)],
    // Every global name: a list of about a thousand items, each tagged and re-serialized by the proxy.
    "completion (global list)": [at(last - 1, 15)],
  };
  const method = (kind: string) => (kind.startsWith("completion") ? "textDocument/completion" : `textDocument/${kind}`);

  const ours = await connect("opencode-lsp", [process.execPath, join(repo, "dist", "main.js"), "--stdio"], root, { proxy: PROXY, completion: { enabled: false } });
  const direct = await connect("typescript-language-server", TS_LS, root, { tsserver: { path: TSSERVER } });
  // The floor: the same server behind a relay that copies bytes and parses nothing.
  const relay = await connect("byte relay (the floor of a process in between)", [process.execPath, join(repo, "bench", "support", "byte-relay.ts"), ...TS_LS], root, { tsserver: { path: TSSERVER } });
  const baselineBin = process.env.PROXY_BENCH_BASELINE;
  const baseline = baselineBin ? await connect("baseline build", [process.execPath, baselineBin, "--stdio"], root, { proxy: PROXY, completion: { enabled: false } }) : undefined;
  const clients = [direct, ours, relay, ...(baseline ? [baseline] : [])];
  /** times[phase][kind][client name] */
  const times: Record<string, Record<string, Record<string, number[]>>> = {};
  const items: Record<string, number> = {};
  try {
    for (const phase of ["idle", "busy"]) {
      const stopBusy = phase === "busy" ? busyCore() : undefined;
      try {
        times[phase] = {};
        for (const [kind, list] of Object.entries(requests)) {
          const perClient: Record<string, number[]> = Object.fromEntries(clients.map((c) => [c.name, []]));
          times[phase][kind] = perClient;
          for (let i = 0; i < WARMUP + ROUNDS; i++) {
            const params = list[i % list.length]!;
            // Rotate which goes first, so none always sees the others' after-effects.
            const order = clients.map((_, k) => clients[(i + k) % clients.length]!);
            for (const client of order) {
              const started = performance.now();
              const answer = await client.connection.sendRequest(method(kind), params);
              const ms = performance.now() - started;
              if (answer === null && kind !== "hover") throw new Error(`${client.name} answered null to ${kind}`);
              if (kind.includes("global") && i === 0) items[client.name] = ((answer as { items?: unknown[] }).items ?? (answer as unknown[])).length;
              if (i >= WARMUP) perClient[client.name]!.push(ms);
            }
          }
        }
      } finally {
        stopBusy?.();
      }
    }
  } finally {
    await Promise.all(clients.map(close));
    rmSync(root, { recursive: true, force: true });
  }

  const rows: BenchRow[] = [];
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const p50 = (xs: number[]) => quantile(xs, 0.5);
  const p95 = (xs: number[]) => quantile(xs, 0.95);
  for (const [phase, kinds] of Object.entries(times)) {
    for (const [kind, perClient] of Object.entries(kinds)) {
      const d = perClient[direct.name]!;
      rows.push({ name: `${kind} (${phase}): p50 / p95 direct`, value: `${ms(p50(d))} / ${ms(p95(d))}` });
      for (const client of clients.slice(1)) {
        const o = perClient[client.name]!;
        const label = client === ours ? "opencode-lsp" : client.name;
        rows.push({ name: `${kind} (${phase}): p50 / p95 ${label}`, value: `${ms(p50(o))} / ${ms(p95(o))}  (added ${ms(p50(o) - p50(d))} / ${ms(p95(o) - p95(d))})` });
        rows.push({ name: `${kind} (${phase}): ratio p50 / p95 ${label}`, value: `${(p50(o) / p50(d)).toFixed(2)}x / ${(p95(o) / p95(d)).toFixed(2)}x`, ...(client === ours ? { target: "≤ 1.25x / ≤ 1.5x" } : {}) });
      }
      const o = perClient[ours.name]!;
      const r = perClient[relay.name]!;
      rows.push({ name: `${kind} (${phase}): opencode-lsp over the byte relay p50 / p95`, value: `${(p50(o) / p50(r)).toFixed(2)}x / ${(p95(o) / p95(r)).toFixed(2)}x  (our own work: ${ms(p50(o) - p50(r))} at p50)` });
    }
  }
  rows.push({ name: "global completion items (opencode-lsp / direct)", value: `${items["opencode-lsp"]} / ${items["typescript-language-server"]}` });
  rows.push({ name: "requests per method, phase and server", value: String(ROUNDS) });
  return rows;
}

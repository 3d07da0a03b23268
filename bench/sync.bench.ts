// Sync (issue 18): the latency of one Yjs update from machine A to machine B through one
// `sync serve`, and through two servers sharing one redis-server (A on the first, B on the
// second), against a TCP round trip on 127.0.0.1 measured in the same run; heap per idle synced
// session against the same session unsynced (child process with --expose-gc).
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as Y from "yjs";
import { SyncConnection } from "../server/sync/connection.ts";
import { startRedis, startSyncServe, TOKEN } from "../test/support/sync.ts";
import { median, percentiles, quantile } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const title = "sync: update latency A→B through one server and through two on Redis; heap per idle synced session";

const UPDATES = 200;
const IDLE_SESSIONS = 100;

/** ms from A's insert to B's doc holding it, per update (one at a time). */
async function updateLatency(urlA: string, urlB: string): Promise<number[]> {
  const links = [urlA, urlB].map((url, i) => new SyncConnection({ url, token: TOKEN, room: "bench", machine: `m${i}` }));
  const [docA, docB] = [new Y.Doc(), new Y.Doc()];
  const [a, b] = [links[0]!.open("bench/f/latency.txt", docA), links[1]!.open("bench/f/latency.txt", docB)];
  await Promise.all([a.synced(10_000), b.synced(10_000)]);
  const textA = docA.getText("t");
  const textB = docB.getText("t");
  const samples: number[] = [];
  try {
    for (let i = 0; i < UPDATES + 20; i++) {
      const arrived = new Promise<void>((resolve) => {
        const check = () => {
          if (textB.length === i + 1) {
            textB.unobserve(check);
            resolve();
          }
        };
        textB.observe(check);
      });
      const started = performance.now();
      textA.insert(textA.length, "x");
      await arrived;
      if (i >= 20) samples.push(performance.now() - started); // the first ones warm up
    }
  } finally {
    for (const link of links) link.destroy();
  }
  return samples;
}

/** A TCP ping-pong on 127.0.0.1 (the floor any server hop pays), ms per round trip. */
async function tcpRoundTrips(): Promise<number[]> {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const socket = connect((server.address() as { port: number }).port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  const samples: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      socket.once("data", () => resolve());
      socket.write("x");
    });
    samples.push(performance.now() - started);
  }
  socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  return samples;
}

async function idleMemory(url: string): Promise<{ synced: number[]; local: number[] }> {
  const child = spawn(process.execPath, ["--expose-gc", join(here, "support", "sync-memory.ts"), url, TOKEN, String(IDLE_SESSIONS)], { cwd: join(here, ".."), stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  child.stdout.on("data", (c: Buffer) => (text += c.toString()));
  await new Promise<void>((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`sync-memory exited ${code}`)))));
  return JSON.parse(text) as { synced: number[]; local: number[] };
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const tcp = await tcpRoundTrips();
  const one = await startSyncServe();
  const redis = await startRedis();
  const [first, second] = await Promise.all([startSyncServe({ args: ["--redis", redis.url] }), startSyncServe({ args: ["--redis", redis.url] })]);
  try {
    const direct = await updateLatency(one.url, one.url);
    const viaRedis = await updateLatency(first.url, second.url);
    const floor = median(tcp);
    rows.push({ name: "TCP round trip on 127.0.0.1 (baseline)", value: percentiles(tcp, 3) });
    rows.push({ name: "update A→B, one server", value: `${percentiles(direct)}  (p50 ${(median(direct) / floor).toFixed(0)}x TCP)` });
    rows.push({ name: "update A→B, two servers on Redis", value: `${percentiles(viaRedis)}  (p50 ${(median(viaRedis) / median(direct)).toFixed(2)}x one server)` });
    rows.push({ name: "update A→B p95, two servers / one", value: `${(quantile(viaRedis, 0.95) / quantile(direct, 0.95)).toFixed(2)}x` });
    const memory = await idleMemory(one.url);
    const synced = median(memory.synced);
    const local = median(memory.local);
    rows.push({ name: `heap per idle session, synced (${IDLE_SESSIONS} sessions)`, value: `${(synced / 1024).toFixed(1)} KB` });
    rows.push({ name: "heap per idle session, not synced (same run)", value: `${(local / 1024).toFixed(1)} KB  (synced ${(synced / local).toFixed(1)}x)` });
  } finally {
    await Promise.all([one.stop(), first.stop(), second.stop()]);
    await redis.stop();
  }
  return rows;
}

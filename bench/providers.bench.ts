// Providers: normalized stream throughput against iterating the raw openai SDK stream, on the same
// scripted server in the same run (per-chunk overhead of adapter + router), and cache-hit latency.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { createModelClient } from "../server/providers/index.ts";
import type { BenchRow } from "./types.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The scripted server in its own process, so its work does not share the event loop being measured. */
async function spawnServer(script: unknown): Promise<{ baseURL: string; setTurns(turns: unknown[]): Promise<void>; close(): void }> {
  const file = join(tmpdir(), `providers-bench-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(script));
  const child = spawn(process.execPath, [join(root, "test/support/providers/serve.ts"), file], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`scripted server exited (${code})`)));
  });
  const { baseURL, baseURLs } = JSON.parse(line) as { baseURL: string; baseURLs: { ollama: string } };
  return {
    baseURL,
    async setTurns(turns) {
      await fetch(`${baseURLs.ollama}/__script`, { method: "POST", body: JSON.stringify({ turns }) });
    },
    close: () => void child.kill(),
  };
}

export const title = "providers: normalized stream vs raw SDK stream, cache hit";

const CHUNKS = 20_000;
const ROUNDS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export async function run(): Promise<BenchRow[]> {
  const text = Array.from({ length: CHUNKS }, (_, i) => `t${i % 100} `);
  const server = await spawnServer({ protocol: "openai", turns: [{ text, usage: { input: 10, output: CHUNKS } }] });
  try {
    const raw = new OpenAI({ apiKey: "k", baseURL: server.baseURL, maxRetries: 0, logLevel: "off" });
    const client = createModelClient({ config: { providers: { bench: { protocol: "openai", baseURL: server.baseURL, apiKey: "k" } }, cache: { maxEntries: 100, ttlMs: 600_000 } }, env: {} });
    const messages = [{ role: "user" as const, content: "go" }];

    async function rawRound(): Promise<number> {
      const started = performance.now();
      const stream = await raw.chat.completions.create({ model: "m", messages, stream: true, stream_options: { include_usage: true } });
      let n = 0;
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta?.content;
        if (content) n++;
      }
      if (n !== CHUNKS) throw new Error(`raw: ${n} chunks`);
      return performance.now() - started;
    }

    async function normalizedRound(): Promise<number> {
      const started = performance.now();
      let n = 0;
      for await (const event of client.stream("bench/m", { messages })) {
        if (event.type === "text") n++;
        else if (event.type === "error") throw new Error(event.error.message);
      }
      if (n !== CHUNKS) throw new Error(`normalized: ${n} chunks`);
      return performance.now() - started;
    }

    await rawRound();
    await normalizedRound();
    const rawTimes: number[] = [];
    const normTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (i % 2 === 0) {
        rawTimes.push(await rawRound());
        normTimes.push(await normalizedRound());
      } else {
        normTimes.push(await normalizedRound());
        rawTimes.push(await rawRound());
      }
    }
    const rawMs = median(rawTimes);
    const normMs = median(normTimes);

    // Cache hit: a typical answer (200 text chunks, a tool call, usage, stop) replayed from memory.
    await server.setTurns([{ text: text.slice(0, 200), toolCalls: [{ name: "read", arguments: { path: "a.ts" } }], usage: { input: 10, output: 200 } }]);
    const cacheable = { system: "sys", messages, temperature: 0 };
    for await (const _ of client.stream("bench/m", cacheable)) void _;
    const hits: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const started = performance.now();
      for await (const _ of client.stream("bench/m", cacheable)) void _;
      hits.push(performance.now() - started);
    }
    const stats = client.stats().cache;

    return [
      { name: `raw openai SDK stream, ${CHUNKS} chunks (median of ${ROUNDS})`, value: `${rawMs.toFixed(1)} ms (${Math.round((CHUNKS / rawMs) * 1000).toLocaleString("en")} chunks/s)` },
      { name: `normalized stream (adapter + router), same server`, value: `${normMs.toFixed(1)} ms (${Math.round((CHUNKS / normMs) * 1000).toLocaleString("en")} chunks/s)` },
      { name: "throughput ratio normalized / raw", value: `${(rawMs / normMs).toFixed(3)}x`, target: ">= 0.95" },
      { name: "cache hit, full replay (median of 2000)", value: `${median(hits).toFixed(4)} ms`, target: "< 1 ms" },
      { name: "cache hits / misses", value: `${stats.hits} / ${stats.misses}` },
    ];
  } finally {
    server.close();
  }
}

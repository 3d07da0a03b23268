// Privacy costs: sealing/opening a session transcript between turns (AES-256-GCM of its JSON) for
// 10/100/1,000 messages against plain JSON.stringify+parse (the floor any copy pays); an audit entry
// appended (hash chain + sync write) per second; the offline guard's check per request.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { AuditLog } from "../server/privacy/audit.ts";
import { SealedTranscript } from "../server/privacy/encryption.ts";
import { checkRequestURL } from "../server/privacy/policy.ts";
import { medianTime } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "privacy: transcript sealing, audit appends, offline host check";

const time = medianTime;

function transcript(n: number) {
  const code = "export function area(width: number, height: number): number {\n  return width * height;\n}\n".repeat(8);
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0 ? { role: "user", content: `step ${i}: please change the area function` } : i % 3 === 1 ? { role: "assistant", content: "Reading it.", toolCalls: [{ id: `c${i}`, name: "read", input: { path: "area.ts" } }] } : { role: "tool", toolCallId: `c${i - 1}`, toolName: "read", content: code },
  );
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of [10, 100, 1000]) {
    const messages = transcript(n);
    const sealed = new SealedTranscript<typeof messages>("bench");
    const rounds = n >= 1000 ? 30 : 200;
    const plain = time(() => JSON.parse(JSON.stringify(messages)), rounds);
    const cycle = time(() => {
      sealed.seal(messages);
      sealed.open();
    }, rounds);
    rows.push({ name: `seal+open ${n} messages (${(sealed.size / 1024).toFixed(0)} KiB)`, value: `${cycle.toFixed(3)} ms (${(cycle / plain).toFixed(2)}x JSON round trip)` });
    sealed.erase();
  }

  const dir = mkdtempSync(join(tmpdir(), "audit-bench-"));
  try {
    const log = new AuditLog(join(dir, "audit.jsonl"));
    const count = 2000;
    const start = performance.now();
    for (let i = 0; i < count; i++) log.record({ event: "provider.contacted", provider: "ollama", host: "127.0.0.1:11434", model: "qwen2.5-coder:7b" });
    const ms = performance.now() - start;
    log.close();
    rows.push({ name: "audit entry appended (hash chain, sync write)", value: `${((ms / count) * 1000).toFixed(1)} µs (${Math.round(count / (ms / 1000))}/s)` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const urls = ["http://127.0.0.1:11434", "https://api.anthropic.com/v1", "http://[::1]:8080/v1"];
  const checks = 100_000;
  const start = performance.now();
  for (let i = 0; i < checks; i++) checkRequestURL(urls[i % 3]!, { offline: true });
  rows.push({ name: "offline host check per request", value: `${(((performance.now() - start) / checks) * 1000).toFixed(2)} µs` });
  return rows;
}

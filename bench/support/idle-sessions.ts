// What the idle-session memory benches share: a heap figure after full collections (run with
// --expose-gc), and a session manager's dependencies against a model nobody calls.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bus } from "../../server/bus/bus.ts";
import { ConfigStore } from "../../server/config/index.ts";
import { createModelClient } from "../../server/providers/index.ts";

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap used after four full collections. */
export function heap(): number {
  if (!gc) throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

export function managerDeps(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const store = new ConfigStore();
  const config = () => ({ ...store.config, model: "bench/m", providers: { bench: { protocol: "openai" as const, baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } } });
  return { root, config, client: createModelClient({ config: config(), env: {} }), bus: new Bus(() => undefined) };
}

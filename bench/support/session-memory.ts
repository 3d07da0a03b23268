// Child of sessions.bench.ts, run with `node --expose-gc`: heap growth per idle session created
// through the SessionManager (worker isolation, as the LSP front uses it), per inline Session, and
// per bare Y.Doc (the floor: a session is at least its document). Prints one JSON line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Y from "yjs";
import { Bus } from "../../server/bus/bus.ts";
import { ConfigStore } from "../../server/config/index.ts";
import { createModelClient } from "../../server/providers/index.ts";
import { builtinTools, ToolRegistry } from "../../server/tools/index.ts";
import { SessionManager } from "../../server/sessions/manager.ts";

const N = Number(process.argv[2] ?? 300);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

function heap(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const root = mkdtempSync(join(tmpdir(), "session-mem-"));
const store = new ConfigStore();
const config = () => ({ ...store.config, model: "bench/m", providers: { bench: { protocol: "openai" as const, baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } } });
const client = createModelClient({ config: config(), env: {} });
const bus = new Bus(() => undefined);

function perSession(isolation: "worker" | "inline"): number {
  const tools = isolation === "inline" ? new ToolRegistry({ tools: builtinTools(), config }) : undefined;
  const manager = new SessionManager({ root, bus, client, config, isolation, ...(tools ? { tools } : {}) });
  manager.create({ title: "warm-up" }); // first-use costs (module state, caches) are not per session
  const before = heap();
  for (let i = 0; i < N; i++) manager.create({ title: `session ${i}` });
  const after = heap();
  if (manager.size !== N + 1) throw new Error("sessions missing");
  const bytes = (after - before) / N;
  manager.dispose();
  return bytes;
}

function perDoc(): number {
  const keep: Y.Doc[] = [];
  const before = heap();
  for (let i = 0; i < N; i++) {
    const doc = new Y.Doc();
    doc.getMap("meta").set("title", `session ${i}`);
    keep.push(doc);
  }
  const after = heap();
  const bytes = (after - before) / N;
  keep.length = 0;
  return bytes;
}

const result = { worker: [] as number[], inline: [] as number[], ydoc: [] as number[] };
for (let round = 0; round < 3; round++) {
  result.worker.push(perSession("worker"));
  result.inline.push(perSession("inline"));
  result.ydoc.push(perDoc());
}
rmSync(root, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);

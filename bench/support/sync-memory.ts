// Child of sync.bench.ts, run with `node --expose-gc URL TOKEN N`: heap growth per idle session
// synced through the sync server at URL (its document linked, announced in the room) against the
// same sessions unsynced, both through the SessionManager as the LSP front uses it (worker
// isolation). Prints one JSON line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bus } from "../../server/bus/bus.ts";
import { ConfigStore } from "../../server/config/index.ts";
import { createModelClient } from "../../server/providers/index.ts";
import { SessionManager } from "../../server/sessions/manager.ts";
import { FileBases } from "../../server/sync/file-bases.ts";
import { startSync } from "../../server/sync/index.ts";

const [url, token, count] = process.argv.slice(2);
const N = Number(count ?? 100);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !url || !token) throw new Error("usage: node --expose-gc sync-memory.ts URL TOKEN N");

function heap(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const root = mkdtempSync(join(tmpdir(), "sync-mem-"));
const store = new ConfigStore();
const config = () => ({ ...store.config, model: "bench/m", providers: { bench: { protocol: "openai" as const, baseURL: "http://127.0.0.1:9/v1", apiKey: "k" } } });
const client = createModelClient({ config: config(), env: {} });
const bus = new Bus(() => undefined);

async function perSession(synced: boolean, round: number): Promise<number> {
  const manager = new SessionManager({ root, bus, client, config, isolation: "worker" });
  const bases = new FileBases(manager.workspace);
  const sync = synced ? await startSync({ config: { url: url!, token: token!, room: `mem${round}` }, manager, bus, root, bases }) : undefined;
  manager.create({ title: "warm-up" });
  await settle(sync);
  const before = heap();
  for (let i = 0; i < N; i++) manager.create({ title: `session ${i}` });
  await settle(sync);
  const after = heap();
  if (sync && sync.health().sessions !== N + 1) throw new Error(`only ${sync.health().sessions} sessions synced`);
  sync?.dispose();
  manager.dispose();
  return (after - before) / N;
}

/** Until the server acknowledged everything (synced sessions idle). */
async function settle(sync: Awaited<ReturnType<typeof startSync>> | undefined): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (sync && sync.health().pendingUpdates > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
}

const result = { synced: [] as number[], local: [] as number[] };
for (let round = 0; round < 3; round++) {
  result.synced.push(await perSession(true, round));
  result.local.push(await perSession(false, round));
}
rmSync(root, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

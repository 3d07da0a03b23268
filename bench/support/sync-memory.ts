// Child of sync.bench.ts, run with `node --expose-gc URL TOKEN N`: heap growth per idle session
// synced through the sync server at URL (its document linked, announced in the room) against the
// same sessions unsynced, both through the SessionManager as the LSP front uses it (worker
// isolation). Prints one JSON line.
import { rmSync } from "node:fs";
import { SessionManager } from "../../server/sessions/manager.ts";
import { heap, managerDeps } from "./idle-sessions.ts";
import { FileBases } from "../../server/sync/file-bases.ts";
import { startSync } from "../../server/sync/index.ts";

const [url, token, count] = process.argv.slice(2);
const N = Number(count ?? 100);
if (!url || !token) throw new Error("usage: node --expose-gc sync-memory.ts URL TOKEN N");

const { root, config, client, bus } = managerDeps("sync-mem-");

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

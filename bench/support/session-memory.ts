// Child of sessions.bench.ts, run with `node --expose-gc`: heap growth per idle session created
// through the SessionManager (worker isolation, as the LSP front uses it), per inline Session, and
// per bare Y.Doc (the floor: a session is at least its document). Prints one JSON line.
import { rmSync } from "node:fs";
import * as Y from "yjs";
import { builtinTools, ToolRegistry } from "../../server/tools/index.ts";
import { SessionManager } from "../../server/sessions/manager.ts";
import { heap, managerDeps } from "./idle-sessions.ts";

const N = Number(process.argv[2] ?? 300);

const { root, config, client, bus } = managerDeps("session-mem-");

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

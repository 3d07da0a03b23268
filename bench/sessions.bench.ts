// Sessions (issue 5): the workspace doc's cost per keystroke on a 50k-line file against a bare
// TextDocument.update; two sessions' 1,000 edits each merged into one file against plain string
// splices; heap per idle session (child process with --expose-gc); `opencode/health` latency while
// four sessions stream against the same requests with the server idle. Same run, medians of
// alternating rounds.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { DEFAULTS } from "../server/config/defaults.ts";
import { Workspace } from "../server/sessions/workspace.ts";
import type { ContentChange } from "../server/sessions/editor-replica.ts";
import { LspTestClient } from "../test/support/lsp-client.ts";
import { mean, median, percentiles, quantile } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

export const title = "sessions: keystroke into the workspace doc, merge, idle session memory, health under load";

// --- keystrokes ------------------------------------------------------------------------------

const LINES = 50_000;
const KEYS = 300;
const KEY_ROUNDS = 3;

/** A pseudo-random but repeatable sequence. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function bigFile(lines = LINES): string {
  return Array.from({ length: lines }, (_, i) => `  const value${i} = compute(${i}, "line ${i}"); // ${i % 7 === 0 ? "note" : ""}`).join("\n") + "\n";
}

function keystrokes(seed: number, lines = LINES): ContentChange[] {
  const next = lcg(seed);
  return Array.from({ length: KEYS }, () => {
    const line = Math.floor(next() * lines);
    const character = Math.floor(next() * 20);
    return { range: { start: { line, character }, end: { line, character } }, text: "x" };
  });
}

async function keystrokeBench(rows: BenchRow[], lines = LINES): Promise<void> {
  const text = bigFile(lines);
  const dir = mkdtempSync(join(tmpdir(), "sessions-bench-keys-"));
  const uri = pathToFileURL(join(dir, "big.ts")).href;
  try {
    const ours = (changes: ContentChange[]): number => {
      const workspace = new Workspace({ writeFile: async () => undefined, timing: () => DEFAULTS.edits });
      workspace.openInEditor(uri, "typescript", 1, text);
      const started = performance.now();
      let version = 1;
      for (const change of changes) workspace.changeInEditor(uri, [change], ++version);
      const perKey = ((performance.now() - started) * 1000) / changes.length;
      if (workspace.textOf(fileURLToPath(uri))!.length !== text.length + changes.length) throw new Error("keystrokes lost");
      workspace.destroy();
      return perKey;
    };
    const bare = (changes: ContentChange[]): number => {
      let doc = TextDocument.create(uri, "typescript", 1, text);
      const started = performance.now();
      for (const change of changes) doc = TextDocument.update(doc, [change], doc.version + 1);
      const perKey = ((performance.now() - started) * 1000) / changes.length;
      if (doc.getText().length !== text.length + changes.length) throw new Error("keystrokes lost");
      return perKey;
    };
    ours(keystrokes(99, lines));
    bare(keystrokes(99, lines));
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < KEY_ROUNDS; round++) {
      const changes = keystrokes(round + 1, lines);
      if (round % 2 === 0) {
        a.push(ours(changes));
        b.push(bare(changes));
      } else {
        b.push(bare(changes));
        a.push(ours(changes));
      }
    }
    const x = median(a);
    const y = median(b);
    const mb = (text.length / 1e6).toFixed(1);
    if (lines === LINES) rows.push({ name: `keystroke on a ${lines / 1000}k-line file (${mb} MB), workspace doc (replica + Yjs apply), mean of ${KEYS}, median of ${KEY_ROUNDS}`, value: `${x.toFixed(1)} µs`, target: "< 50 µs" });
    else rows.push({ name: `  same on a ${lines / 1000}k-line file (${mb} MB): workspace doc / TextDocument.update`, value: `${x.toFixed(1)} / ${y.toFixed(1)} µs` });
    if (lines !== LINES) return;
    rows.push({ name: "  baseline: TextDocument.update alone, same keystrokes", value: `${y.toFixed(1)} µs` });
    rows.push({ name: "  ratio (workspace doc / TextDocument.update)", value: `${(x / y).toFixed(2)}x` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- merging two sessions ----------------------------------------------------------------------

const MERGE_EDITS = 1_000;
const MERGE_LINES = 2_000;
const MERGE_ROUNDS = 3;

function mergeFile(): string {
  return Array.from({ length: MERGE_LINES }, (_, i) => `export function f${i}(x: number): number { return x + ${i}; }`).join("\n") + "\n";
}

/** Each session's edits: a short marker inserted after a line break of its own choosing. */
function markerEdits(session: string, text: string, seed: number): { at: number; insert: string }[] {
  const next = lcg(seed);
  const starts: number[] = [0];
  for (let i = text.indexOf("\n"); i !== -1 && i < text.length - 1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return Array.from({ length: MERGE_EDITS }, (_, k) => ({ at: starts[Math.floor(next() * starts.length)]!, insert: `/*${session}${k}*/` }));
}

/** Applies inserts given as offsets in `base` (all against the same base), in one pass. */
function applyAll(base: string, edits: { at: number; insert: string }[]): string {
  const sorted = [...edits].sort((p, q) => p.at - q.at);
  let out = "";
  let from = 0;
  for (const e of sorted) {
    out += base.slice(from, e.at) + e.insert;
    from = e.at;
  }
  return out + base.slice(from);
}

function checkMarkers(text: string, sessions: string[]): void {
  for (const s of sessions) for (let k = 0; k < MERGE_EDITS; k++) if (!text.includes(`/*${s}${k}*/`)) throw new Error(`edit ${s}${k} lost in the merge`);
}

async function mergeBench(rows: BenchRow[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sessions-bench-merge-"));
  const abs = join(dir, "shared.ts");
  const initial = mergeFile();
  const editsA = markerEdits("A", initial, 7);
  const editsB = markerEdits("B", initial, 8);
  try {
    const fresh = () => {
      writeFileSync(abs, initial);
      return new Workspace({ writeFile: (path, text) => Promise.resolve(writeFileSync(path, text)), timing: () => DEFAULTS.edits });
    };

    // Where edit k of a session lands in the text as it is once every earlier edit (of both
    // sessions, taken in turns) is in: its offset in the original plus what was inserted before it.
    const order: { at: number; insert: string; session: string }[] = [];
    for (let k = 0; k < MERGE_EDITS; k++) order.push({ ...editsA[k]!, session: "A" }, { ...editsB[k]!, session: "B" });
    const positions: number[] = [];
    for (let i = 0; i < order.length; i++) {
      let shift = 0;
      for (let j = 0; j < i; j++) if (order[j]!.at < order[i]!.at) shift += order[j]!.insert.length;
      positions.push(order[i]!.at + shift);
    }

    // (a) Like the edit tool: each edit is read (track) → change → write, the two sessions taking turns.
    const sequential = async (): Promise<{ ms: number; first: number; last: number; text: string }> => {
      const ws = fresh();
      const perEdit: number[] = [];
      const started = performance.now();
      for (let i = 0; i < order.length; i++) {
        const t = performance.now();
        const { session, insert } = order[i]!;
        const seen = (await ws.read(abs, session, true))!;
        await ws.write(abs, seen.slice(0, positions[i]) + insert + seen.slice(positions[i]), session);
        perEdit.push(performance.now() - t);
      }
      const ms = performance.now() - started;
      const text = ws.textOf(abs)!;
      checkMarkers(text, ["A", "B"]);
      ws.destroy();
      return { ms, first: mean(perEdit.slice(0, 100)), last: mean(perEdit.slice(-100)), text };
    };
    // (b) Each session read the file once and writes its 1,000 changes in one write, both against the
    //     original: the second write merges 1,000 changes computed on an older version.
    const stale = async (): Promise<number> => {
      const ws = fresh();
      await ws.read(abs, "A", true);
      await ws.read(abs, "B", true);
      const started = performance.now();
      await ws.write(abs, applyAll(initial, editsA), "A");
      await ws.write(abs, applyAll(initial, editsB), "B");
      const ms = performance.now() - started;
      checkMarkers(ws.textOf(abs)!, ["A", "B"]);
      ws.destroy();
      return ms;
    };
    // Baseline: the same 2,000 inserts, in the same order, as plain string splices.
    const splices = (): { ms: number; text: string } => {
      const started = performance.now();
      let text = initial;
      for (let i = 0; i < order.length; i++) text = text.slice(0, positions[i]) + order[i]!.insert + text.slice(positions[i]);
      text = text.concat(); // the splices leave a rope; count reading it out once
      void text.charCodeAt(0);
      return { ms: performance.now() - started, text };
    };
    await stale();
    splices();
    const st: number[] = [];
    const sp: number[] = [];
    let expected = "";
    for (let round = 0; round < MERGE_ROUNDS; round++) {
      const b = splices();
      sp.push(b.ms);
      expected = b.text;
      st.push(await stale());
    }
    const seq = await sequential(); // one round: it is the slow one
    if (seq.text !== expected) throw new Error("per-edit merge differs from the string splices");
    const kb = Math.round(initial.length / 1024);
    rows.push({ name: `merge 2 × ${MERGE_EDITS} edits into a ${MERGE_LINES}-line file (${kb} KB), per edit read(track) → write, sessions alternating (1 round)`, value: `${seq.ms.toFixed(0)} ms` });
    rows.push({ name: "  per edit: first 100 / last 100", value: `${seq.first.toFixed(2)} / ${seq.last.toFixed(2)} ms` });
    rows.push({ name: `merge 2 × ${MERGE_EDITS} edits, one write per session, both computed on the original (median of ${MERGE_ROUNDS})`, value: `${median(st).toFixed(1)} ms` });
    rows.push({ name: "  baseline: the same 2,000 inserts as plain string splices", value: `${median(sp).toFixed(2)} ms` });
    rows.push({ name: "  ratio (per-edit merge / splices)", value: `${(seq.ms / median(sp)).toFixed(0)}x` });
    rows.push({ name: "  ratio (one-write merge / splices)", value: `${(median(st) / median(sp)).toFixed(3)}x` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- memory per idle session -------------------------------------------------------------------

const IDLE_SESSIONS = 300;

async function memoryBench(rows: BenchRow[]): Promise<void> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", join(here, "support", "session-memory.ts"), String(IDLE_SESSIONS)], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`session-memory exited ${code}`))));
  });
  const r = JSON.parse(out) as { worker: number[]; inline: number[]; ydoc: number[] };
  const kb = (xs: number[]) => median(xs) / 1024;
  rows.push({ name: `heap per idle session, SessionManager isolation "worker" (${IDLE_SESSIONS} sessions, after gc)`, value: `${kb(r.worker).toFixed(2)} KB`, target: "< 200 KB" });
  rows.push({ name: '  isolation "inline" (Session with its Y.Doc, tools state, files view)', value: `${kb(r.inline).toFixed(2)} KB` });
  rows.push({ name: "  baseline: a bare Y.Doc with one map entry", value: `${kb(r.ydoc).toFixed(2)} KB` });
  rows.push({ name: "  ratio (worker session / bare Y.Doc)", value: `${(kb(r.worker) / kb(r.ydoc)).toFixed(2)}x` });
}

// --- opencode/health while four sessions stream ----------------------------------------------------

const STREAMS = 4;
const HEALTH_ROUNDS = 3;
const HEALTH_PER_ROUND = 70;
const STREAM_CHUNKS = 4_000;

async function spawnProvider(turns: unknown[]): Promise<{ baseURL: string; close(): void }> {
  const file = join(tmpdir(), `sessions-bench-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ protocol: "openai", turns }));
  const child = spawn(process.execPath, [join(root, "test/support/providers/serve.ts"), file], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`scripted server exited (${code})`)));
  });
  return { baseURL: (JSON.parse(line) as { baseURL: string }).baseURL, close: () => void child.kill() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthBench(rows: BenchRow[]): Promise<void> {
  const text = Array.from({ length: STREAM_CHUNKS }, (_, i) => `tok${i} `);
  const provider = await spawnProvider([{ text, chunkDelayMs: 1, usage: { input: 10, output: STREAM_CHUNKS } }]);
  const dir = mkdtempSync(join(tmpdir(), "sessions-bench-health-"));
  const client = new LspTestClient({ cwd: dir, env: { OPENCODE_LSP_LOG_LEVEL: "warn" } });
  try {
    await client.initialize({
      rootUri: pathToFileURL(dir).href,
      capabilities: { workspace: { applyEdit: true } },
      initializationOptions: { model: "scripted/m", providers: { scripted: { baseURL: provider.baseURL, protocol: "openai", apiKey: "k" } } },
    });
    const ids: string[] = [];
    for (let i = 0; i < STREAMS; i++) ids.push((await client.request<{ sessionId: string }>("opencode/session/new", { title: `stream ${i}` })).sessionId);
    const chunksOf = new Map<string, number>();
    client.connection.onNotification("opencode/session/update", (p: { sessionId: string; update: { kind: string } }) => {
      if (p.update.kind === "message_chunk") chunksOf.set(p.sessionId, (chunksOf.get(p.sessionId) ?? 0) + 1);
    });

    const healthBatch = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < HEALTH_PER_ROUND; i++) {
        const t = performance.now();
        await client.request("opencode/health");
        out.push(performance.now() - t);
        await sleep(3);
      }
      return out;
    };

    const idle: number[] = [];
    const busy: number[] = [];
    let overlapped = true;
    await healthBatch(); // warm-up
    for (let round = 0; round < HEALTH_ROUNDS; round++) {
      idle.push(...(await healthBatch()));
      chunksOf.clear();
      let finished = 0;
      const prompts = ids.map((sessionId) =>
        client.request<{ stopReason: string }>("opencode/session/prompt", { sessionId, prompt: "stream for a while" }).then((r) => {
          finished++;
          return r;
        }),
      );
      // Wait until all four are streaming (their workers started and the first chunks arrived).
      const deadline = Date.now() + 20_000;
      while (ids.some((id) => (chunksOf.get(id) ?? 0) < 20)) {
        if (Date.now() > deadline) throw new Error(`sessions did not start streaming: ${JSON.stringify([...chunksOf])}`);
        await sleep(5);
      }
      busy.push(...(await healthBatch()));
      if (finished > 0) overlapped = false;
      for (const sessionId of ids) await client.notify("opencode/session/cancel", { sessionId });
      const results = await Promise.all(prompts);
      if (results.some((r) => r.stopReason !== "cancelled" && r.stopReason !== "end_turn")) throw new Error(`prompt: ${JSON.stringify(results)}`);
      await sleep(50);
    }
    rows.push({ name: `opencode/health while ${STREAMS} sessions stream (${busy.length} requests)`, value: percentiles(busy) + (overlapped ? "" : " (a stream ended early)"), target: "p99 < 20 ms" });
    rows.push({ name: `  baseline: the same requests, server idle (${idle.length} requests)`, value: percentiles(idle) });
    rows.push({ name: "  ratio p50 / p99 (streaming / idle)", value: `${(quantile(busy, 0.5) / quantile(idle, 0.5)).toFixed(2)}x / ${(quantile(busy, 0.99) / quantile(idle, 0.99)).toFixed(2)}x` });
    rows.push({ name: "  mean (streaming / idle)", value: `${mean(busy).toFixed(2)} / ${mean(idle).toFixed(2)} ms` });
  } finally {
    client.kill();
    provider.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  await keystrokeBench(rows);
  await keystrokeBench(rows, LINES / 10);
  await mergeBench(rows);
  await memoryBench(rows);
  await healthBench(rows);
  return rows;
}

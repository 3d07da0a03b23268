// Edits reaching an open buffer (issue 20): a session's edit to an open buffer, from write() to
// its return once the editor's echo is read (diff, workspace/applyEdit, the echo's reading, the
// replica taking the edit), against the editor's own cost for the same edit as one
// TextDocument.update (what the LSP front's document store pays for the echo anyway); and opening a
// big buffer into the workspace doc against TextDocument.create. Same run, medians of alternating
// rounds.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { EditAnswer, TextEdit } from "../server/sessions/editor-replica.ts";
import { DEFAULTS } from "../server/config/defaults.ts";
import { Workspace } from "../server/sessions/workspace.ts";
import { median } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "edits: a session's edit delivered to an open buffer (echo read), opening a big buffer";

const ROUNDS = 5;
const EDITS = 20;

function bigFile(lines: number): string {
  return Array.from({ length: lines }, (_, i) => `  const value${i} = compute(${i}, "line ${i}"); // ${i % 7 === 0 ? "note" : ""}`).join("\n") + "\n";
}

/** An editor that applies each edit and reports it at once as the edits themselves (as eglot does). */
function echoingEditor(workspace: Workspace, uri: string, text: string) {
  let doc = TextDocument.create(uri, "typescript", 1, text);
  workspace.openInEditor(uri, "typescript", 1, text);
  const applyEdit = async (_uri: string, version: number, edits: TextEdit[]): Promise<EditAnswer> => {
    if (version !== doc.version) return { applied: false, failureReason: "version mismatch" };
    const changes = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start)).map((e) => ({ range: e.range, text: e.newText }));
    doc = TextDocument.update(doc, changes, doc.version + 1);
    queueMicrotask(() => workspace.changeInEditor(uri, changes, doc.version));
    return { applied: true };
  };
  return { applyEdit, text: () => doc.getText() };
}

/** Mean ms per edit: EDITS sessions' edits, each a line changed somewhere in the file. */
async function ours(text: string, lines: number, dir: string): Promise<number> {
  const abs = join(dir, "big.ts");
  const workspace = new Workspace({ writeFile: async () => undefined, timing: () => DEFAULTS.edits });
  const editor = echoingEditor(workspace, pathToFileURL(abs).href, text);
  workspace.setApplyEdit(editor.applyEdit);
  let base = (await workspace.read(abs, "s", true))!;
  const started = performance.now();
  for (let k = 0; k < EDITS; k++) {
    const marker = `value${Math.floor(((k + 1) * lines) / (EDITS + 1))} =`;
    base = base.replace(marker, `${marker} /*${k}*/`);
    await workspace.write(abs, base, "s");
  }
  const perEdit = (performance.now() - started) / EDITS;
  if (!editor.text().includes(`/*${EDITS - 1}*/`) || workspace.textOf(abs) !== editor.text()) throw new Error("an edit was lost");
  workspace.destroy();
  return perEdit;
}

/** The same edits as TextDocument.update alone. */
function bare(text: string, lines: number): number {
  let doc = TextDocument.create("file:///big.ts", "typescript", 1, text);
  const started = performance.now();
  for (let k = 0; k < EDITS; k++) {
    const marker = `value${Math.floor(((k + 1) * lines) / (EDITS + 1))} =`;
    const at = doc.positionAt(doc.getText().indexOf(marker) + marker.length);
    doc = TextDocument.update(doc, [{ range: { start: at, end: at }, text: ` /*${k}*/` }], doc.version + 1);
  }
  return (performance.now() - started) / EDITS;
}

async function editBench(rows: BenchRow[], lines: number): Promise<void> {
  const text = bigFile(lines);
  const mb = (text.length / 1e6).toFixed(1);
  const dir = mkdtempSync(join(tmpdir(), "edits-bench-"));
  try {
    await ours(text, lines, dir);
    bare(text, lines);
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        a.push(await ours(text, lines, dir));
        b.push(bare(text, lines));
      } else {
        b.push(bare(text, lines));
        a.push(await ours(text, lines, dir));
      }
    }
    const x = median(a);
    const y = median(b);
    rows.push({ name: `session edit to an open ${lines / 1000}k-line buffer (${mb} MB), write → applyEdit → echo read, mean of ${EDITS}`, value: `${x.toFixed(2)} ms` });
    rows.push({ name: "  baseline: the same edit as one TextDocument.update (the front's cost for the echo)", value: `${y.toFixed(2)} ms` });
    rows.push({ name: "  ratio (delivered edit / TextDocument.update)", value: `${(x / y).toFixed(2)}x` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function openBench(rows: BenchRow[], lines: number): Promise<void> {
  const text = bigFile(lines);
  const uri = pathToFileURL(join(tmpdir(), "open-bench.ts")).href;
  const ours = () => {
    const workspace = new Workspace({ writeFile: async () => undefined, timing: () => DEFAULTS.edits });
    const started = performance.now();
    workspace.openInEditor(uri, "typescript", 1, text);
    const ms = performance.now() - started;
    workspace.destroy();
    return ms;
  };
  const bare = () => {
    const started = performance.now();
    const doc = TextDocument.create(uri, "typescript", 1, text);
    doc.positionAt(text.length); // line offsets are computed on first use
    return performance.now() - started;
  };
  ours();
  bare();
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(ours());
    b.push(bare());
  }
  const mb = (text.length / 1e6).toFixed(1);
  rows.push({ name: `didOpen of a ${mb} MB buffer into the workspace doc (Yjs text + line index) / TextDocument.create`, value: `${median(a).toFixed(0)} / ${median(b).toFixed(0)} ms (${(median(a) / median(b)).toFixed(2)}x)` });
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  await editBench(rows, 50_000);
  await editBench(rows, 250_000);
  await openBench(rows, 250_000);
  return rows;
}

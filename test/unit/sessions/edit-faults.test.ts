// Property (issue 20): whatever the editor does wrong — never or late reports of applied edits,
// late answers, refusals, errors, Neovim's silent drop of a stale edit — whatever the user types
// meanwhile (CRLF and astral-plane text included), when they save and close the buffer, and when
// another process changes, deletes or overwrites the file with binary bytes (between the agent's
// steps): every session write settles within its bound; one that returned is in the text, one that
// failed is not (it was taken back) and says why; what the user typed is all there, and so is what
// the other process wrote while the file was not open; the buffer, the workspace doc and the disk agree.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeliveryError } from "../../../server/sessions/delivery.ts";
import { Workspace } from "../../../server/sessions/workspace.ts";
import { FakeEditor, settle, sleep, writeAtomically, type Misbehaviour } from "./fake-editor.ts";

const TIMING = { echoTimeoutMs: 12, deliveryTimeoutMs: 120 };

/** Some faults at a time; one that refuses everything now and then. */
const rarely = <T>(value: T) => fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant(value) });
const misbehaviour: fc.Arbitrary<Misbehaviour> = fc.record({
  echo: fc.oneof(fc.constant("now" as const), fc.constant("never" as const), fc.integer({ min: 1, max: 20 })),
  answerDelayMs: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
  refuse: rarely("the buffer is read-only"),
  error: rarely("internal error"),
  staleAsError: fc.boolean(),
  dropStale: fc.boolean(),
});

const op = fc.oneof(
  // batch: the editor holds the change that long (a debounce, shorter than the echo timeout).
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("type" as const), at: fc.nat(), batch: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("write" as const), session: fc.constantFrom("A", "B"), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("flush" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("disk" as const), change: fc.constantFrom("append" as const, "delete" as const, "binary" as const) }) },
);

const INITIAL = ["start\nmiddle\nend\n", "dos\r\nlines\r\nend\r\n", "𝒜𝒷 😀\n中文 𝄞\n", ""];

/** An offset that splits no token, surrogate pair or CRLF: the start, or right after a token or a line end. */
function safeOffset(text: string, n: number): number {
  const offsets = [0];
  for (let i = 1; i <= text.length; i++) if (">]\n".includes(text[i - 1]!)) offsets.push(i);
  return offsets[n % offsets.length]!;
}

describe("the edit path under editor faults", () => {
  it("property: every write lands or fails with its reason, in bound; nothing typed is lost; all copies agree", async () => {
    let id = 0;
    await fc.assert(
      fc.asyncProperty(misbehaviour, fc.constantFrom(...INITIAL), fc.array(op, { minLength: 1, maxLength: 14 }), async (misbehave, initial, ops) => {
        const root = mkdtempSync(join(tmpdir(), "ws-faults-"));
        const abs = join(root, "file.txt");
        writeFileSync(abs, initial);
        const workspace = new Workspace({ writeFile: writeAtomically, timing: () => TIMING });
        const editor = new FakeEditor(workspace, pathToFileURL(abs).href, initial, misbehave);
        workspace.setApplyEdit(editor.applyEdit);
        // What must be in the end (typed, delivered, written by the other process), what must not (failed).
        const must = new Set<string>();
        const mustNot = new Set<string>();
        /** Bumped when the other process deletes the file: what was there is gone, not lost by us. */
        let deletions = 0;
        const onDisk = () => (existsSync(abs) ? readFileSync(abs, "utf8") : "");
        // Each session waits for its write before going on (as the agent loop does); the user does not.
        const sessions: Record<string, Promise<void>> = { A: Promise.resolve(), B: Promise.resolve() };
        for (const o of ops) {
          if (o.kind === "type" && !editor.closed) {
            const token = `<u${id++}${id % 3 === 0 ? "😀" : ""}>`;
            must.add(token);
            editor.batching = o.batch !== undefined;
            editor.type(safeOffset(editor.text, o.at), token);
            if (o.batch) setTimeout(() => editor.flush(), o.batch);
          } else if (o.kind === "write") {
            const token = `[${o.session}${id++}${id % 2 === 0 ? "𝄞" : ""}]`;
            const inserted = id % 3 === 0 ? `${token}\r\n` : token;
            sessions[o.session] = sessions[o.session]!.then(async () => {
              const base = (await workspace.read(abs, o.session, true)) ?? (existsSync(abs) ? onDisk() : undefined);
              if (base === undefined || base.includes("\0")) return; // as the edit tool: not found, or binary
              const started = Date.now();
              const epoch = deletions;
              try {
                await workspace.write(abs, base.slice(0, safeOffset(base, o.at)) + inserted + base.slice(safeOffset(base, o.at)), o.session);
                if (epoch === deletions) must.add(token);
              } catch (error) {
                expect(error).toBeInstanceOf(DeliveryError);
                expect((error as Error).message).toMatch(/did not reach .*: .+\. It was taken back|deleted \(or became binary\) on disk after it was read; nothing was written/);
                mustNot.add(token);
              }
              expect(Date.now() - started).toBeLessThan(TIMING.deliveryTimeoutMs + 1500); // a loaded machine's timers run late
            });
          } else if (o.kind === "flush") {
            editor.flush();
          } else if (o.kind === "wait") {
            await sleep(o.ms);
          } else if (o.kind === "close" && !editor.closed) {
            editor.batching = false;
            await editor.saveAndClose(abs);
          } else if (o.kind === "disk") {
            // Another process, between the agent's steps. While the buffer is open it stays the truth.
            await Promise.all(Object.values(sessions));
            if (o.change === "append") {
              const token = `(x${id++})`;
              appendFileSync(abs, `${token}\n`);
              if (editor.closed) must.add(token);
            } else {
              if (o.change === "delete") rmSync(abs, { force: true });
              else writeFileSync(abs, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]));
              if (editor.closed) {
                must.clear();
                deletions++;
              }
            }
          }
          await settle();
        }
        editor.batching = false;
        editor.flush();
        await Promise.all(Object.values(sessions));
        await sleep(TIMING.echoTimeoutMs * 2); // an edit's last echo, a taken-back change's delivery
        editor.flush();
        await sleep(5);

        // A file not open is read again (the other process may have changed it since the last step).
        const merged = editor.closed ? ((await workspace.read(abs, "check", false)) ?? onDisk()) : workspace.textOf(abs);
        const shown = editor.closed ? onDisk() : editor.text;
        const story = JSON.stringify({ misbehave, initial, ops, must: [...must], mustNot: [...mustNot] });
        expect(shown, story).toBe(merged);
        for (const token of must) expect(merged, story).toContain(token);
        for (const token of mustNot) expect(merged, story).not.toContain(token);
        workspace.destroy();
      }),
      { numRuns: 120 },
    );
  }, 120_000);
});

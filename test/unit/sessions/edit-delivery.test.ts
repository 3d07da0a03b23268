// The edit path never stalls or lies (issue 20): for each way an editor misbehaves, a session's
// write either lands in the buffer (and returns) or fails with the reason (taken back, the user
// told), within the configured bounds; what the user typed is never lost.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { Workspace } from "../../../server/sessions/workspace.ts";
import { FakeEditor, settle, sleep, writeAtomically, type Misbehaviour } from "./fake-editor.ts";

const TIMING = { echoTimeoutMs: 40, deliveryTimeoutMs: 400 };

function setup(initial: string, name = "file.txt", timing = TIMING) {
  const root = mkdtempSync(join(tmpdir(), "ws-delivery-"));
  const abs = join(root, name);
  writeFileSync(abs, initial);
  const notices: string[] = [];
  const workspace = new Workspace({ writeFile: writeAtomically, timing: () => timing, notice: (m) => notices.push(m) });
  return { root, abs, uri: pathToFileURL(abs).href, workspace, notices };
}

function open(initial: string, misbehave: Misbehaviour = {}, timing = TIMING) {
  const s = setup(initial, "file.txt", timing);
  const editor = new FakeEditor(s.workspace, s.uri, initial, misbehave);
  s.workspace.setApplyEdit(editor.applyEdit);
  return { ...s, editor };
}

/** A session's edit of what it last read: `from` becomes `to`. */
async function sessionEdit(workspace: Workspace, abs: string, session: string, from: string, to: string) {
  const base = (await workspace.read(abs, session, true))!;
  if (!base.includes(from)) throw new Error(`"${from}" not in ${JSON.stringify(base)}`);
  return workspace.write(abs, base.replace(from, to), session);
}

describe("an editor that applies an edit but never sends its didChange", () => {
  it("the next edit is not held forever: it goes out once the user's next change resyncs the buffer", async () => {
    const { abs, workspace, editor, notices } = open("one\ntwo\nthree\n", { echo: "never" });
    await sessionEdit(workspace, abs, "s", "one", "ONE"); // delivered on the editor's word after the echo timeout
    expect(editor.text).toBe("ONE\ntwo\nthree\n");
    expect(notices.join("\n")).toMatch(/without reporting the change/);
    const second = sessionEdit(workspace, abs, "s", "three", "THREE");
    await sleep(TIMING.echoTimeoutMs * 2);
    editor.type(editor.text.indexOf("two"), "(typed)"); // relative to the buffer with the first edit
    await second;
    expect(editor.text).toBe("ONE\n(typed)two\nTHREE\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("with no change from the user, the next edit fails within the bound, is taken back, and the user is told", async () => {
    const { abs, workspace, editor, notices } = open("alpha\nbeta\n", { echo: "never" });
    await sessionEdit(workspace, abs, "s", "alpha", "ALPHA");
    const started = Date.now();
    await expect(sessionEdit(workspace, abs, "s", "beta", "BETA")).rejects.toThrow(/did not reach the editor's buffer: .*reported none since.*taken back/);
    expect(Date.now() - started).toBeLessThan(TIMING.deliveryTimeoutMs + 300);
    expect(notices.at(-1)).toMatch(/was not applied/);
    expect(editor.text).toBe("ALPHA\nbeta\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
    // Later, the user types: nothing of the failed edit arrives after all.
    editor.type(0, "#");
    await sleep(TIMING.echoTimeoutMs);
    expect(editor.text).toBe("#ALPHA\nbeta\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });
});

describe("an editor that refuses or errors", () => {
  it("applied: false with a failureReason: the write fails with that reason and nothing changes", async () => {
    const { abs, workspace, editor, notices } = open("text\n", { refuse: "the buffer is read-only" });
    await expect(sessionEdit(workspace, abs, "s", "text", "TEXT")).rejects.toThrow(/refused it \(the buffer is read-only\)/);
    expect(notices.at(-1)).toMatch(/read-only/);
    expect(editor.text).toBe("text\n");
    expect(workspace.textOf(abs)).toBe("text\n");
    expect(readFileSync(abs, "utf8")).toBe("text\n"); // not written to disk behind the editor's back
  });

  it("an error answer for a stale version (eglot) is resent after the editor's next change", async () => {
    const { abs, workspace, editor } = open("abc\n", { staleAsError: true });
    editor.batching = true;
    editor.type(0, "X"); // not reported yet: our edit is for an older version
    const written = sessionEdit(workspace, abs, "s", "abc", "abc-s");
    await settle();
    expect(editor.refused).toBe(1);
    editor.batching = false;
    editor.flush();
    await written;
    expect(editor.text).toBe("Xabc-s\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("an error answer that lasts fails the write with its message", async () => {
    const { abs, workspace, editor } = open("abc\n", { error: "internal error in the client" });
    await expect(sessionEdit(workspace, abs, "s", "abc", "ABC")).rejects.toThrow(/internal error in the client/);
    expect(workspace.textOf(abs)).toBe(editor.text);
  });
});

describe("editors that answer or report late", () => {
  it("an edit queued behind one whose echo is late returns only once it is in the buffer", async () => {
    const { abs, workspace, editor } = open("a\nb\n", { echo: 20 }); // eglot: changes sent on an idle timer
    const first = sessionEdit(workspace, abs, "s1", "a", "A");
    const second = sessionEdit(workspace, abs, "s2", "b", "B");
    await second;
    expect(editor.text).toBe("A\nB\n");
    await first;
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("typing while the answer is late: the user's text is kept and the edit lands once", async () => {
    const { abs, workspace, editor } = open("let x = 1;\n", { answerDelayMs: 30, echo: 15 });
    const asked = editor.asked();
    const written = sessionEdit(workspace, abs, "s", "1", "2");
    await asked;
    editor.type(0, "// mine\n"); // the editor is ahead by the time it looks at our edit
    await written;
    expect(editor.text).toBe("// mine\nlet x = 2;\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("Neovim's skip reported while the answer was on its way: the edit is sent again, not lost", async () => {
    const { abs, workspace, editor } = open("keep\n", { dropStale: true, answerDelayMs: 20 });
    const asked = editor.asked();
    const written = sessionEdit(workspace, abs, "s", "keep", "keep it");
    await asked;
    editor.type(0, ">"); // reported before the editor looks at our edit, which is then stale
    await written;
    expect(editor.text).toBe(">keep it\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("Neovim's applied: true for an edit it skipped as stale: the edit is sent again, not lost", async () => {
    const { abs, workspace, editor } = open("keep\n", { dropStale: true });
    editor.batching = true;
    editor.type(0, ">"); // Neovim's debounce has not sent it yet
    const written = sessionEdit(workspace, abs, "s", "keep", "keep it");
    await settle();
    editor.batching = false;
    editor.flush(); // only the typing: the edit was dropped
    await written;
    expect(editor.text).toBe(">keep it\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });
});

describe("the buffer and the file change under the edit", () => {
  it("the buffer closed while an edit is out: the edit goes to the file on disk", async () => {
    const { abs, workspace, editor } = open("on disk\n", { answerDelayMs: 30 });
    const asked = editor.asked();
    const written = sessionEdit(workspace, abs, "s", "disk", "disk, edited");
    await asked;
    await editor.close();
    await written;
    expect(readFileSync(abs, "utf8")).toBe("on disk, edited\n");
    expect(workspace.textOf(abs)).toBe("on disk, edited\n");
  });

  it("closing drops the buffer's unsaved typing but keeps an edit the buffer never took", async () => {
    const { abs, workspace, editor } = open("function f() {}\n", { answerDelayMs: 30 });
    editor.type(0, "// an unsaved note\n");
    await settle();
    const asked = editor.asked();
    const written = sessionEdit(workspace, abs, "s", "f()", "g()");
    await asked;
    await editor.close();
    await written;
    expect(readFileSync(abs, "utf8")).toBe("function g() {}\n");
  });

  it("the file changed or deleted on disk while open: the buffer stays the truth and the disk is not written", async () => {
    const { abs, workspace, editor } = open("buffer text\n");
    writeFileSync(abs, "someone else's text\n");
    await sessionEdit(workspace, abs, "s", "buffer", "BUFFER");
    expect(editor.text).toBe("BUFFER text\n");
    expect(readFileSync(abs, "utf8")).toBe("someone else's text\n");
    rmSync(abs);
    await sessionEdit(workspace, abs, "s", "text", "TEXT");
    expect(editor.text).toBe("BUFFER TEXT\n");
    expect(() => readFileSync(abs)).toThrow(/ENOENT/);
  });

  it("the file deleted on disk after a session read it: the write fails and does not bring it back", async () => {
    const { abs, workspace } = setup("old\n");
    const base = (await workspace.read(abs, "s", true))!;
    rmSync(abs);
    await expect(workspace.write(abs, base.replace("old", "new"), "s")).rejects.toThrow(/deleted .*on disk after it was read/);
    expect(() => readFileSync(abs)).toThrow(/ENOENT/);
    // Written anew (the write tool): created.
    expect((await workspace.write(abs, "fresh\n", "s")).created).toBe(true);
    expect(readFileSync(abs, "utf8")).toBe("fresh\n");
  });

  it("the file changed on disk while not open: the edit merges with the change", async () => {
    const { abs, workspace } = setup("a\nb\n");
    const base = (await workspace.read(abs, "s", true))!;
    writeFileSync(abs, "a\nb\nc (someone else)\n");
    await workspace.write(abs, base.replace("a", "A"), "s");
    expect(readFileSync(abs, "utf8")).toBe("A\nb\nc (someone else)\n");
  });

  it("a file not open, written by two sessions: reading it while a write of ours lands does not undo the other's change", async () => {
    const root = mkdtempSync(join(tmpdir(), "ws-delivery-"));
    const abs = join(root, "f.txt");
    writeFileSync(abs, "a\nb\n");
    let landed!: () => void;
    const gate = new Promise<void>((resolve) => (landed = resolve));
    onTestFinished(() => landed()); // a failed expectation does not leave A's write hanging into the next test
    let onDisk!: () => void;
    const aOnDisk = new Promise<void>((resolve) => (onDisk = resolve));
    let first = true;
    // The first write is on disk at once but returns only when the gate opens (a slow rename, fsync...).
    const writeFile = async (path: string, text: string) => {
      await writeAtomically(path, text);
      if (!first) return;
      first = false;
      onDisk();
      await gate;
    };
    const workspace = new Workspace({ writeFile, timing: () => ({ ...TIMING, deliveryTimeoutMs: 20_000 }) });
    const a = sessionEdit(workspace, abs, "A", "a", "A");
    await aOnDisk;
    const b = sessionEdit(workspace, abs, "B", "b", "B");
    await expect.poll(() => workspace.textOf(abs)).toBe("A\nB\n"); // B's edit is in the workspace doc, its write waiting behind A's
    expect(readFileSync(abs, "utf8")).toBe("A\nb\n");
    expect(await workspace.read(abs, "C", true)).toBe("A\nB\n"); // sees A's text on disk: ours, not someone else's
    landed();
    await Promise.all([a, b]);
    expect(readFileSync(abs, "utf8")).toBe("A\nB\n");
  });

  it("two sessions reading and writing a file not open at once, after another process changed it: neither edit is lost", async () => {
    // The two reads race to bring the change in; the one that finishes last must not put back an older text.
    for (let round = 0; round < 40; round++) {
      const { abs, workspace } = setup("start\nmiddle\nend\n");
      await workspace.read(abs, "A", true);
      appendFileSync(abs, "(someone else)\n");
      const a = sessionEdit(workspace, abs, "A", "start", "[A]start");
      await sleep(round % 4); // B's read starts while A's read or write is under way
      await Promise.all([a, sessionEdit(workspace, abs, "B", "middle", "[B]middle")]);
      expect(readFileSync(abs, "utf8")).toBe("[A]start\n[B]middle\nend\n(someone else)\n");
    }
  });

  it("a binary file never enters the workspace doc; overwriting it is not a creation", async () => {
    const { root, workspace } = setup("");
    const abs = join(root, "image.bin");
    writeFileSync(abs, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0xff, 0xfe]));
    expect(await workspace.read(abs, "s", true)).toBeUndefined();
    expect(workspace.textOf(abs)).toBeUndefined();
    expect((await workspace.write(abs, "now text\n", "s")).created).toBe(false);
    expect(readFileSync(abs, "utf8")).toBe("now text\n");
  });

  it("a writing error fails the write with the reason", async () => {
    const root = mkdtempSync(join(tmpdir(), "ws-delivery-"));
    const abs = join(root, "f.txt");
    writeFileSync(abs, "x\n");
    const workspace = new Workspace({ writeFile: async () => Promise.reject(new Error("ENOSPC: no space left on device")), timing: () => TIMING });
    await expect(sessionEdit(workspace, abs, "s", "x", "y")).rejects.toThrow(/the edit did not reach the file: writing the file failed: ENOSPC/);
    expect(workspace.textOf(abs)).toBe("x\n");
  });
});

describe("large and unusual text", () => {
  it("a 20 MB buffer and a 20 MB file not open take an edit each", async () => {
    const lines = (20 * 1024 * 1024) / 16;
    const big = "0123456789abcde\n".repeat(lines) + "last line\n";
    const slow = { ...TIMING, deliveryTimeoutMs: 20_000 }; // the point here is size, not timeouts
    const { abs, workspace, editor } = open(big, {}, slow);
    const started = performance.now();
    await sessionEdit(workspace, abs, "s", "last line", "LAST LINE");
    expect(editor.text.endsWith("\nLAST LINE\n")).toBe(true);
    const at = (character: number) => ({ line: lines, character });
    expect(editor.applied.at(-1)).toEqual([{ range: { start: at(0), end: at(4) }, newText: "LAST" }, { range: { start: at(5), end: at(9) }, newText: "LINE" }]);
    const closedFile = setup(big, "big.txt", slow);
    await sessionEdit(closedFile.workspace, closedFile.abs, "s", "last line", "LAST LINE");
    expect(readFileSync(closedFile.abs, "utf8").endsWith("\nLAST LINE\n")).toBe(true);
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it("CRLF and astral-plane text: positions stay right through a late echo and a dropped edit", async () => {
    const { abs, workspace, editor } = open("𝒜𝒷😀\r\nzweite 𝄞 Zeile\r\n", { echo: 10, dropStale: true });
    editor.batching = true;
    editor.type(2, "✓"); // between the two astral letters
    const written = sessionEdit(workspace, abs, "s", "𝄞", "𝄞𝄢");
    await settle();
    editor.batching = false;
    editor.flush();
    await written;
    expect(editor.text).toBe("𝒜✓𝒷😀\r\nzweite 𝄞𝄢 Zeile\r\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });
});

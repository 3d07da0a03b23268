import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../../server/config/defaults.ts";
import { Workspace } from "../../../server/sessions/workspace.ts";
import { FakeEditor, settle } from "./fake-editor.ts";

function setup(initial: string) {
  const root = mkdtempSync(join(tmpdir(), "ws-"));
  const abs = join(root, "file.txt");
  writeFileSync(abs, initial);
  const workspace = new Workspace({ writeFile: (path, text) => writeFile(path, text), timing: () => DEFAULTS.edits });
  return { root, abs, uri: pathToFileURL(abs).href, workspace };
}

/** A session edit computed on the version it read: insert `text` at `offset` of that version. */
async function sessionInsert(workspace: Workspace, abs: string, session: string, base: string, offset: number, text: string) {
  return workspace.write(abs, base.slice(0, offset) + text + base.slice(offset), session);
}

describe("workspace doc with an open editor", () => {
  it("converts UTF-16 positions with emoji, CJK and CRLF", async () => {
    const { abs, uri, workspace } = setup("");
    const editor = new FakeEditor(workspace, uri, "a😀b\r\n中文字\r\nend");
    workspace.setApplyEdit(editor.applyEdit);
    editor.type(3, "!"); // after the emoji (two UTF-16 units)
    editor.type(editor.text.indexOf("文"), "[cjk]");
    expect(workspace.textOf(abs)).toBe("a😀!b\r\n中[cjk]文字\r\nend");

    const base = (await workspace.read(abs, "s1", true))!;
    await sessionInsert(workspace, abs, "s1", base, base.indexOf("字") + 1, "<s1>");
    await settle();
    expect(editor.applied.at(-1)).toEqual([{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 8 } }, newText: "<s1>" }]);
    expect(editor.text).toBe("a😀!b\r\n中[cjk]文字<s1>\r\nend");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("merges an edit computed on an older version with what the user typed since", async () => {
    const { abs, uri, workspace } = setup("");
    const editor = new FakeEditor(workspace, uri, "function f() {\n  return 1;\n}\n");
    workspace.setApplyEdit(editor.applyEdit);
    const seen = (await workspace.read(abs, "agent", true))!;
    editor.type(0, "// typed by the user\n"); // after the agent read the file
    // The agent writes the whole file as it would look from its (older) version.
    await workspace.write(abs, seen.replace("return 1;", "return 2;"), "agent");
    await settle();
    expect(editor.text).toBe("// typed by the user\nfunction f() {\n  return 2;\n}\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("reverts one session among three parties, keeping the others' later edits", async () => {
    const { abs, uri, workspace } = setup("");
    const editor = new FakeEditor(workspace, uri, "one\ntwo\nthree\n");
    workspace.setApplyEdit(editor.applyEdit);
    let base = (await workspace.read(abs, "A", true))!;
    await sessionInsert(workspace, abs, "A", base, base.indexOf("two"), "[A]");
    await settle();
    editor.type(editor.text.indexOf("three"), "(user)");
    base = (await workspace.read(abs, "B", true))!;
    await sessionInsert(workspace, abs, "B", base, base.length, "[B]\n");
    await settle();
    expect(editor.text).toBe("one\n[A]two\n(user)three\n[B]\n");

    expect(await workspace.revert("A")).toBe(1);
    await settle();
    expect(workspace.textOf(abs)).toBe("one\ntwo\n(user)three\n[B]\n");
    expect(editor.text).toBe(workspace.textOf(abs));
  });

  it("re-sends an edit the editor refused because the user typed first", async () => {
    const { abs, uri, workspace } = setup("");
    const editor = new FakeEditor(workspace, uri, "abc\n");
    workspace.setApplyEdit(editor.applyEdit);
    const base = (await workspace.read(abs, "s", true))!;
    editor.batching = true;
    editor.type(0, "X"); // held: the editor is ahead of what we know
    const written = sessionInsert(workspace, abs, "s", base, 3, "-s");
    await settle();
    expect(editor.refused).toBe(1);
    editor.batching = false;
    editor.flush();
    await written; // returns once the edit is in the buffer
    expect(editor.text).toBe("Xabc-s\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("re-sends a refused edit at once when the typing that beat it came while it was out (no more typing follows)", async () => {
    const { abs, uri, workspace } = setup("");
    const editor = new FakeEditor(workspace, uri, "abc\n");
    let first = true;
    workspace.setApplyEdit(async (u, version, edits) => {
      if (first) {
        first = false;
        editor.type(0, "X"); // its didChange reaches the workspace while our edit is out: refused
      }
      return editor.applyEdit(u, version, edits);
    });
    const base = (await workspace.read(abs, "s", true))!;
    await sessionInsert(workspace, abs, "s", base, 3, "-s");
    await settle();
    await settle();
    expect(editor.refused).toBe(1);
    expect(editor.text).toBe("Xabc-s\n");
    expect(workspace.textOf(abs)).toBe(editor.text);
  });

  it("property: random interleavings of typing and two sessions' edits lose nothing and converge", async () => {
    let tokenId = 0;
    const op = fc.oneof(
      fc.record({ kind: fc.constant("type" as const), at: fc.nat(), batch: fc.boolean() }),
      fc.record({ kind: fc.constant("read" as const), session: fc.constantFrom("A", "B") }),
      fc.record({ kind: fc.constant("write" as const), session: fc.constantFrom("A", "B"), at: fc.nat() }),
      fc.record({ kind: fc.constant("flush" as const) }),
    );
    /** An offset that does not split a token: the start, or right after a token or a line end. */
    const safeOffset = (text: string, n: number) => {
      const offsets = [0];
      for (let i = 1; i <= text.length; i++) if (">]\n".includes(text[i - 1]!)) offsets.push(i);
      return offsets[n % offsets.length]!;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const { abs, uri, workspace } = setup("");
        const editor = new FakeEditor(workspace, uri, "start\nmiddle\nend\n");
        workspace.setApplyEdit(editor.applyEdit);
        const bases: Record<string, string> = {};
        const tokens: string[] = [];
        // A session waits for its write to be delivered before it goes on; the user does not.
        const sessions: Record<string, Promise<unknown>> = { A: Promise.resolve(), B: Promise.resolve() };
        for (const o of ops) {
          if (o.kind === "type") {
            const token = `<u${tokenId++}>`;
            tokens.push(token);
            editor.batching = o.batch;
            editor.type(safeOffset(editor.text, o.at), token);
          } else if (o.kind === "read") {
            sessions[o.session] = sessions[o.session]!.then(async () => (bases[o.session] = (await workspace.read(abs, o.session, true))!));
          } else if (o.kind === "write") {
            const token = `[${o.session}${tokenId++}]`;
            tokens.push(token);
            sessions[o.session] = sessions[o.session]!.then(async () => {
              const base = bases[o.session] ?? (await workspace.read(abs, o.session, true))!;
              await sessionInsert(workspace, abs, o.session, base, safeOffset(base, o.at), token);
              bases[o.session] = workspace.textOf(abs)!;
            });
          } else {
            editor.flush();
          }
          await settle();
        }
        editor.batching = false;
        editor.flush();
        await Promise.all(Object.values(sessions));
        const merged = workspace.textOf(abs)!;
        expect(editor.text).toBe(merged);
        for (const token of tokens) expect(merged).toContain(token);
      }),
      { numRuns: 150 },
    );
  });
});

describe("workspace doc for files not open", () => {
  it("writes a session's edit to disk and merges a change someone else made on disk", async () => {
    const { abs, workspace } = setup("alpha\nbeta\n");
    const base = (await workspace.read(abs, "s", true))!;
    writeFileSync(abs, "alpha\nbeta\ngamma (from git pull)\n"); // someone else
    await workspace.write(abs, base.replace("alpha", "ALPHA"), "s");
    expect(readFileSync(abs, "utf8")).toBe("ALPHA\nbeta\ngamma (from git pull)\n");
    await workspace.revert("s");
    expect(readFileSync(abs, "utf8")).toBe("alpha\nbeta\ngamma (from git pull)\n");
  });

  it("creates a new file", async () => {
    const { root, workspace } = setup("");
    const abs = join(root, "new.txt");
    const result = await workspace.write(abs, "hello\n", "s");
    expect(result.created).toBe(true);
    expect(readFileSync(abs, "utf8")).toBe("hello\n");
  });
});

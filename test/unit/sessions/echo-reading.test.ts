// Reading the editor's first didChange after it answered `applied: true` to our edit (echo-reading.ts).
import { describe, expect, it } from "vitest";
import { readEcho } from "../../../server/sessions/echo-reading.ts";

const at = (line: number, character: number) => ({ line, character });
const insert = (line: number, character: number, text: string) => ({ range: { start: at(line, character), end: at(line, character) }, text });

// Our edit: "x = 1" became "x = 10" on the first line.
const before = "let x = 1;\nlet y = 2;\n";
const after = "let x = 10;\nlet y = 2;\n";
const echo = insert(0, 9, "0");

describe("readEcho", () => {
  it("the echo alone: the edit is in the buffer", () => {
    expect(readEcho({ before, after, changes: [echo], version: 2, sentVersion: 1 })).toEqual({ kind: "echo", text: after, guess: false });
  });

  it("the echo with typing (eglot batches them): the edit and the typing", () => {
    const reading = readEcho({ before, after, changes: [echo, insert(1, 10, " // typed")], version: 3, sentVersion: 1 });
    expect(reading).toMatchObject({ kind: "echo", text: "let x = 10;\nlet y = 2; // typed\n" });
  });

  it("typing only, as many versions ahead as changes: the edit was dropped (Neovim)", () => {
    const reading = readEcho({ before, after, changes: [insert(1, 0, "// ")], version: 2, sentVersion: 1 });
    expect(reading).toMatchObject({ kind: "dropped", text: "let x = 1;\n// let y = 2;\n" });
  });

  it("typing only, a version further: the edit was applied without a word", () => {
    const reading = readEcho({ before, after, changes: [insert(1, 0, "// ")], version: 3, sentVersion: 1 });
    expect(reading).toMatchObject({ kind: "silent", text: "let x = 10;\n// let y = 2;\n", guess: true });
  });

  it("a position that exists only in the text with the edit settles it, whatever the version", () => {
    // Right after "10;": character 11 is past the end of line 0 without the edit.
    const reading = readEcho({ before, after, changes: [insert(0, 11, " // typed")], version: 2, sentVersion: 1 });
    expect(reading).toMatchObject({ kind: "silent", text: "let x = 10; // typed\nlet y = 2;\n", guess: false });
  });

  it("a position inside a surrogate pair does not exist", () => {
    // Our edit put "😀" before "!"; the typing is after the emoji (character 3), which splits it without the edit.
    const reading = readEcho({ before: "a!\n", after: "a😀!\n", changes: [insert(0, 3, "b")], version: 2, sentVersion: 1 });
    expect(reading).toMatchObject({ kind: "silent", text: "a😀b!\n", guess: false });
  });

  it("a whole-text change is the buffer, edit or not", () => {
    expect(readEcho({ before, after, changes: [{ text: after }], version: 2, sentVersion: 1 })).toMatchObject({ kind: "echo", text: after });
    expect(readEcho({ before, after, changes: [{ text: "other\n" }], version: 2, sentVersion: 1 }).text).toBe("other\n");
  });

  it("CRLF text: an echo with typing at a line break", () => {
    const b = "a\r\nb\r\n";
    const a = "a!\r\nb\r\n";
    const reading = readEcho({ before: b, after: a, changes: [insert(0, 1, "!"), insert(1, 1, "?")], version: 3, sentVersion: 1 });
    expect(reading).toMatchObject({ kind: "echo", text: "a!\r\nb?\r\n" });
  });
});

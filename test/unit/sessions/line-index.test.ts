import fc from "fast-check";
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { LineIndex } from "../../../server/sessions/line-index.ts";

/** Texts with emoji, CJK, and all three line breaks. */
const piece = fc.constantFrom("a", "xyz", "😀", "中文", "\n", "\r\n", "\r", " ", "\tb");
const text = fc.array(piece, { maxLength: 40 }).map((parts) => parts.join(""));

describe("LineIndex", () => {
  it("agrees with TextDocument on offsets and positions through random edits", () => {
    fc.assert(
      fc.property(text, fc.array(fc.tuple(fc.nat(), fc.nat(), text), { maxLength: 15 }), (initial, edits) => {
        let doc = TextDocument.create("file:///x", "plaintext", 0, initial);
        const index = new LineIndex(initial);
        for (const [a, b, insert] of edits) {
          const length = doc.getText().length;
          let start = a % (length + 1);
          let end = Math.min(length, start + (b % 5));
          // Keep CRLF pairs and surrogate pairs whole, as editors do.
          const t = doc.getText();
          if (t[start - 1] === "\r" && t[start] === "\n") start--;
          if (t[end - 1] === "\r" && t[end] === "\n") end++;
          if (/[\udc00-\udfff]/.test(t[start] ?? "")) start--;
          if (/[\udc00-\udfff]/.test(t[end] ?? "")) end++;
          if (insert.startsWith("\n") && t[start - 1] === "\r") continue; // would join into a CRLF
          if (insert.endsWith("\r") && t[end] === "\n") continue;
          if (insert === "" && t[start - 1] === "\r" && t[end] === "\n") continue; // a deletion joining a lone CR to an LF
          const range = { start: doc.positionAt(start), end: doc.positionAt(end) };
          expect(index.offsetAt(range.start)).toBe(start);
          expect(index.offsetAt(range.end)).toBe(end);
          index.replace(start, end, insert);
          doc = TextDocument.update(doc, [{ range, text: insert }], doc.version + 1);
        }
        const final = doc.getText();
        for (let o = 0; o <= final.length; o++) {
          if (final[o - 1] === "\r" && final[o] === "\n") continue; // inside a CRLF
          const p = doc.positionAt(o);
          expect(index.positionAt(o)).toEqual(p);
          expect(index.offsetAt(p)).toBe(o);
        }
        expect(index.lineCount).toBe(doc.lineCount);
      }),
      { numRuns: 300 },
    );
  });

  it("clamps characters past the end of a line to before its break", () => {
    const index = new LineIndex("ab\r\ncd");
    expect(index.offsetAt({ line: 0, character: 99 })).toBe(2);
    expect(index.offsetAt({ line: 5, character: 0 })).toBe(6);
  });

  it("handles a 50k-line file edited across chunks", () => {
    const big = Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join("\n");
    const index = new LineIndex(big);
    let doc = TextDocument.create("file:///x", "plaintext", 0, big);
    const start = doc.offsetAt({ line: 100, character: 2 });
    const end = doc.offsetAt({ line: 3000, character: 1 });
    index.replace(start, end, "X\nY");
    doc = TextDocument.update(doc, [{ range: { start: doc.positionAt(start), end: doc.positionAt(end) }, text: "X\nY" }], 1);
    for (const line of [0, 100, 101, 102, 5000, doc.lineCount - 1]) expect(index.offsetAt({ line, character: 3 })).toBe(doc.offsetAt({ line, character: 3 }));
  });
});

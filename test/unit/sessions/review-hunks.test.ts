// The line hunks of a pending review: applying all of them gives the proposed text, any subset
// applies alone, and a hunk's id survives lines moving above it.
import { describe, expect, it } from "vitest";
import { applyHunks, hunksBetween } from "../../../server/sessions/review-hunks.ts";
import { wantsReview } from "../../../server/sessions/review-policy.ts";

const URI = "file:///w/a.ts";

/** A deterministic pseudo-random text of `lines` lines from a small alphabet (many equal lines). */
function randomText(seed: number, lines: number): string {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(["a", "b", "c", "", "  d", "e;"][next() % 6]!);
  return out.join("\n") + (next() % 2 ? "\n" : "");
}

function mutate(text: string, seed: number): string {
  let x = seed;
  const next = () => (x = (x * 69069 + 1) % 2 ** 31);
  const lines = text.split("\n");
  for (let i = 0; i < 4; i++) {
    const at = next() % (lines.length + 1);
    const op = next() % 3;
    if (op === 0) lines.splice(at, 0, `new ${next() % 100}`);
    else if (op === 1) lines.splice(at, 1);
    else lines.splice(at, 1, `changed ${next() % 100}`);
  }
  return lines.join("\n");
}

describe("review hunks", () => {
  it("all hunks give the proposed text; each hunk alone changes only its lines (300 random pairs)", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const current = randomText(seed, 1 + (seed % 25));
      const proposed = mutate(current, seed * 7);
      const hunks = hunksBetween(current, proposed, "s1", URI);
      expect(applyHunks(current, hunks)).toBe(proposed);
      for (const h of hunks) {
        const alone = applyHunks(current, [h]);
        const rest = hunks.filter((o) => o !== h);
        // What is left to propose after accepting one is exactly the others.
        expect(hunksBetween(alone, proposed, "s1", URI).map((o) => [o.oldText, o.newText])).toEqual(rest.map((o) => [o.oldText, o.newText]));
      }
    }
  });

  it("names lines: changed lines (adjacent ones together), a pure insertion", () => {
    const hunks = hunksBetween("one\ntwo\nthree", "one\nTWO\nthree\nfour", "s1", URI);
    expect(hunks.map((h) => ({ at: h.range.start.line, end: h.range.end.line, old: h.oldText, new: h.newText, added: h.added, removed: h.removed }))).toEqual([
      // Adjacent changed lines are one hunk (the last line gained a newline, so it changed too).
      { at: 1, end: 3, old: "two\nthree", new: "TWO\nthree\nfour", added: 3, removed: 2 },
    ]);
    expect(hunksBetween("one\ntwo\nthree\n", "ONE\ntwo\nTHREE\n", "s1", URI).map((h) => h.range.start.line)).toEqual([0, 2]);
    const insertion = hunksBetween("a\nb\n", "a\nnew\nb\n", "s1", URI)[0]!;
    expect(insertion.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 1, character: 0 } });
    expect(insertion.removed).toBe(0);
  });

  it("a hunk keeps its id when the user adds lines above it, and ids differ per session", () => {
    const before = hunksBetween("x\ny\n", "x\nY\n", "s1", URI)[0]!;
    const after = hunksBetween("typed\nx\ny\n", "typed\nx\nY\n", "s1", URI)[0]!;
    expect(after.id).toBe(before.id);
    expect(after.range.start.line).toBe(2);
    expect(hunksBetween("x\ny\n", "x\nY\n", "s2", URI)[0]!.id).not.toBe(before.id);
  });
});

describe("review policy", () => {
  it("unset follows the editor; a word is the answer; path rules (most specific) beat tool rules beat the default", () => {
    expect(wantsReview(undefined, true, "a.ts", "edit")).toBe(true);
    expect(wantsReview(undefined, false, "a.ts", "edit")).toBe(false);
    expect(wantsReview("ask", false, "a.ts", "edit")).toBe(true);
    expect(wantsReview("off", true, "a.ts", "edit")).toBe(false);
    const rules = { default: "ask" as const, tools: { write: "off" as const }, paths: { "src/**": "off" as const, "src/core/**": "ask" as const } };
    expect(wantsReview(rules, false, "README.md", "edit")).toBe(true);
    expect(wantsReview(rules, false, "README.md", "write")).toBe(false);
    expect(wantsReview(rules, false, "src/ui/x.ts", "edit")).toBe(false);
    expect(wantsReview(rules, false, "src/core/x.ts", "write")).toBe(true);
    expect(wantsReview({ tools: { edit: "ask" } }, false, "a.ts", "multiedit")).toBe(false);
    expect(wantsReview({ tools: { edit: "off" } }, true, "a.ts", "multiedit")).toBe(true);
  });
});

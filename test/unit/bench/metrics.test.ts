// Each metric against values computed by hand, including the benchmarks' edge cases: empty
// predictions, whitespace-only differences, comments.
import { describe, expect, it } from "vitest";
import { identifiers, lexemes, removeComments } from "../../../server/bench/code-text.ts";
import { languageById, languageOfPath } from "../../../server/bench/languages.ts";
import { codeTokens, editSimilarity, exactMatch, firstLines, identifierF1, scoreSample, summarize, tokenMatches, type SampleScore } from "../../../server/bench/metrics.ts";

const ts = languageById("typescript")!;
const py = languageById("python")!;
const lua = languageById("lua")!;

describe("comments and lexemes", () => {
  it("removes line and block comments but not comment markers inside strings", () => {
    expect(removeComments('const u = "http://x"; // the url\n/* block */let y = 1;', ts)).toBe('const u = "http://x"; \nlet y = 1;');
    expect(removeComments("s = '# not a comment'  # a comment\nt = 1", py)).toBe("s = '# not a comment'  \nt = 1");
    expect(removeComments('x = """\n# inside a docstring\n"""', py)).toBe('x = """\n# inside a docstring\n"""');
    expect(removeComments("local a = 1 --[[ gone\nstill gone ]] local b = 2 -- also gone", lua)).toBe("local a = 1  local b = 2 ");
    expect(removeComments("const s = `a ${b} // kept`;", ts)).toBe("const s = `a ${b} // kept`;");
  });

  it("lexes names, numbers, whole strings and single punctuation characters, whitespace-blind", () => {
    expect(lexemes('x += f("a b", 1.5)', ts)).toEqual(["x", "+", "=", "f", "(", '"a b"', ",", "1.5", ")"]);
    expect(lexemes("x+=f(\"a b\",1.5)", ts)).toEqual(lexemes('x += f("a b", 1.5)', ts));
  });

  it("identifiers exclude keywords, string contents and comments", () => {
    expect(identifiers('return this.user.name ?? log("unknown user") // user', ts)).toEqual(["user", "name", "log"]);
    expect(identifiers("def f(self, x): return None", py)).toEqual(["f", "self", "x"]);
  });

  it("finds the language by extension", () => {
    expect(languageOfPath("src/a.tsx")?.id).toBe("typescript");
    expect(languageOfPath("lib/x.PY")?.id).toBe("python");
    expect(languageOfPath("README.md")).toBeUndefined();
  });
});

describe("exact match (CrossCodeEval)", () => {
  it("ignores indentation, trailing spaces and blank lines", () => {
    expect(exactMatch("if (a) {\n  b();\n}\n", "   if (a) {\n\n\tb();   \n}")).toBe(true);
  });
  it("but not a different line structure or any other character", () => {
    expect(exactMatch("f(a,\n  b)", "f(a, b)")).toBe(false);
    expect(exactMatch("f(a, b)", "f(a,b)")).toBe(false);
  });
  it("an empty prediction matches nothing but an empty gold", () => {
    expect(exactMatch("x = 1", "")).toBe(false);
    expect(exactMatch("  \n", "")).toBe(true);
  });
});

describe("edit similarity (CrossCodeEval: fuzz.ratio)", () => {
  it("is 2·LCS / (|a| + |b|) × 100, rounded", () => {
    expect(editSimilarity("kitten", "sitting")).toBe(62); // LCS "ittn": 8/13 = 61.5
    expect(editSimilarity("abcdefgh", "abcDEFGH")).toBe(38); // 6/16 = 37.5
    expect(editSimilarity("return a + b;", "return a + b;")).toBe(100);
    // A tie: 2/16 = 12.5. fuzzball rounds half up; Python's round() (TheFuzz) would give 12.
    expect(editSimilarity("abcdefgh", "aBCDEFGH")).toBe(13);
  });
  it("strips both texts first: surrounding whitespace costs nothing, inner whitespace does", () => {
    expect(editSimilarity("  foo(x)\n", "foo(x)")).toBe(100);
    expect(editSimilarity("foo(x, y)", "foo(x,y)")).toBe(94); // 16/17
  });
  it("is 0 for an empty prediction (TheFuzz's rule, even against an empty gold)", () => {
    expect(editSimilarity("foo()", "")).toBe(0);
    expect(editSimilarity("foo()", "   ")).toBe(0);
    expect(editSimilarity("", "")).toBe(0);
  });
  it("counts code points, as Python does, not UTF-16 units", () => {
    expect(editSimilarity("😀abc", "😀abd")).toBe(75); // 6/8
  });
});

describe("token-level accuracy (CodeXGLUE)", () => {
  const tokens = (gold: string, prediction: string) => tokenMatches(codeTokens(gold, ts), codeTokens(prediction, ts));
  it("counts gold tokens predicted at their position", () => {
    expect(tokens("return a + b", "return a - b")).toEqual({ correct: 3, total: 4 });
  });
  it("a shifted prediction scores by position, not by overlap", () => {
    expect(tokens("foo(bar)", "(foo(bar)")).toEqual({ correct: 0, total: 4 });
  });
  it("whitespace-only differences do not count", () => {
    expect(tokens("a+b", "a  +\n b")).toEqual({ correct: 3, total: 3 });
  });
  it("an empty prediction gets nothing; extra predicted tokens cost nothing", () => {
    expect(tokens("f(x)", "")).toEqual({ correct: 0, total: 4 });
    expect(tokens("f(x)", "f(x); g(y)")).toEqual({ correct: 4, total: 4 });
  });
  it("uses real o200k tokens (a long name is several tokens)", () => {
    expect(codeTokens("getUserAccountSettingsSnapshot", ts).length).toBeGreaterThan(1);
    expect(codeTokens("a <|endoftext|> b", ts).length).toBeGreaterThan(3); // special tokens are plain text here
  });
});

describe("identifier F1 (CrossCodeEval)", () => {
  it("is 2·TP / (2·TP + FP + FN) over the sets", () => {
    expect(identifierF1(["user", "name", "getName", "id"], ["user", "name", "fetchName", "id"])).toBe(0.75);
    expect(identifierF1(["a", "a", "b"], ["a"])).toBeCloseTo(2 / 3); // sets: {a, b} vs {a}
  });
  it("is 0 when both are empty and when the prediction is empty", () => {
    expect(identifierF1([], [])).toBe(0);
    expect(identifierF1(["x"], [])).toBe(0);
  });
});

describe("one sample", () => {
  it("comments in either text do not count anywhere", () => {
    const score = scoreSample("total = add(a, b)  # sum them", "total = add(a, b)", py, { fim: true });
    expect(score).toEqual({ exact: true, editSimilarity: 100, tokens: { correct: 8, total: 8 }, identifierF1: 1 });
    expect(scoreSample("total = add(a, b)", "# first, the sum\ntotal = add(a, b)", py, { fim: true }).exact).toBe(true);
  });
  it("a fill-in-the-middle answer is cut to the gold's number of lines", () => {
    expect(firstLines("a = 1\n\nb = 2\nc = 3", 2)).toBe("a = 1\n\nb = 2");
    expect(scoreSample("a = 1\n", "a = 1\nb = 2\n", py, { fim: true }).exact).toBe(true);
    expect(scoreSample("a = 1\n", "a = 1\nb = 2\n", py, { fim: false }).exact).toBe(false);
  });
  it("an empty prediction scores zero on every metric", () => {
    expect(scoreSample("let x = f(y);", "", ts, { fim: true })).toEqual({ exact: false, editSimilarity: 0, tokens: { correct: 0, total: 8 }, identifierF1: 0 }); // let x = f ( y ) ;
  });
});

describe("summary", () => {
  it("EM, ES and identifier F1 are means over samples; token accuracy sums tokens over all of them", () => {
    const samples: SampleScore[] = [
      { exact: true, editSimilarity: 100, tokens: { correct: 3, total: 4 }, identifierF1: 1 },
      { exact: false, editSimilarity: 50, tokens: { correct: 0, total: 1 }, identifierF1: 0.5 },
      { exact: false, editSimilarity: 0, tokens: { correct: 0, total: 0 }, identifierF1: 0 },
    ];
    expect(summarize(samples)).toEqual({ exactMatch: 33.33, editSimilarity: 50, tokenAccuracy: 60, identifierF1: 50 });
    expect(summarize([])).toEqual({ exactMatch: 0, editSimilarity: 0, tokenAccuracy: 0, identifierF1: 0 });
  });
});

// The accuracy metrics, as the code-completion benchmarks define them:
// - exact match and edit similarity as CrossCodeEval computes them: comments removed from both
//   texts; EM compares the lists of stripped non-empty lines; ES is TheFuzz's `fuzz.ratio` (the Indel
//   similarity 2·LCS / (|a| + |b|), 0–100, an integer per sample, 0 when either text is empty) of the
//   stripped texts, here through fuzzball, the JavaScript port of TheFuzz;
// - token-level accuracy as CodeXGLUE's token completion counts it: gold tokens predicted at their
//   position / gold tokens, summed over all samples; tokens are o200k (gpt-tokenizer) tokens of each
//   lexeme, so whitespace and comments do not count (CodeXGLUE's corpora are lexed, comments removed);
// - identifier F1 as CrossCodeEval's identifier match: over the sets of identifiers (keywords,
//   comments and string literals excluded), 2·TP / (2·TP + FP + FN), 0 when both sets are empty.
// For fill-in-the-middle tasks the prediction is first cut to as many non-empty lines as the gold has
// (a model that keeps writing past the hole is judged on the hole).
import { ratio } from "fuzzball";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { identifiers, lexemes, removeComments } from "./code-text.ts";
import type { Language } from "./languages.ts";
import type { Accuracy } from "./schema.ts";

export interface SampleScore {
  exact: boolean;
  /** 0–100. */
  editSimilarity: number;
  /** Gold tokens predicted at their position, and gold tokens. */
  tokens: { correct: number; total: number };
  /** 0–1. */
  identifierF1: number;
}

/** Stripped, non-empty lines. */
export function codeLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** The text up to the end of its `count`-th non-empty line. */
export function firstLines(text: string, count: number): string {
  let seen = 0;
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    const end = nl < 0 ? text.length : nl;
    if (text.slice(at, end).trim() !== "") seen++;
    if (seen >= count) return text.slice(0, end);
    at = end + 1;
  }
  return text;
}

export function exactMatch(gold: string, prediction: string): boolean {
  const a = codeLines(gold);
  const b = codeLines(prediction);
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

const RATIO_OPTIONS = { full_process: false, astral: true, normalize: false } as const;

/** TheFuzz `fuzz.ratio` of the stripped texts (code points, not UTF-16 units). */
export function editSimilarity(gold: string, prediction: string): number {
  return ratio(prediction.trim(), gold.trim(), RATIO_OPTIONS);
}

const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** o200k tokens of each lexeme, in order. */
export function codeTokens(text: string, language: Language): number[] {
  const out: number[] = [];
  for (const lexeme of lexemes(text, language)) for (const t of encode(lexeme, AS_TEXT)) out.push(t);
  return out;
}

export function tokenMatches(gold: number[], prediction: number[]): { correct: number; total: number } {
  let correct = 0;
  for (let i = 0; i < gold.length; i++) if (prediction[i] === gold[i]) correct++;
  return { correct, total: gold.length };
}

export function identifierF1(gold: string[], prediction: string[]): number {
  const g = new Set(gold);
  const p = new Set(prediction);
  let tp = 0;
  for (const id of p) if (g.has(id)) tp++;
  const fp = p.size - tp;
  const fn = g.size - tp;
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 0 : (2 * tp) / denominator;
}

/** One answer against its gold text. `fim`: cut the prediction to the gold's number of lines first. */
export function scoreSample(gold: string, prediction: string, language: Language, options: { fim: boolean }): SampleScore {
  const goldCode = removeComments(gold, language);
  let predicted = removeComments(prediction, language);
  if (options.fim) predicted = firstLines(predicted, Math.max(1, codeLines(goldCode).length));
  return {
    exact: exactMatch(goldCode, predicted),
    editSimilarity: editSimilarity(goldCode, predicted),
    tokens: tokenMatches(codeTokens(goldCode, language), codeTokens(predicted, language)),
    identifierF1: identifierF1(identifiers(goldCode, language), identifiers(predicted, language)),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The run's figures; an empty list scores 0 everywhere. */
export function summarize(scores: SampleScore[]): Accuracy {
  const n = scores.length;
  if (n === 0) return { exactMatch: 0, editSimilarity: 0, tokenAccuracy: 0, identifierF1: 0 };
  let exact = 0;
  let es = 0;
  let correct = 0;
  let total = 0;
  let f1 = 0;
  for (const s of scores) {
    if (s.exact) exact++;
    es += s.editSimilarity;
    correct += s.tokens.correct;
    total += s.tokens.total;
    f1 += s.identifierF1;
  }
  return {
    exactMatch: round2((exact / n) * 100),
    editSimilarity: round2(es / n),
    tokenAccuracy: total === 0 ? 0 : round2((correct / total) * 100),
    identifierF1: round2((f1 / n) * 100),
  };
}

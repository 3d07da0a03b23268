// Benchmark tasks cut from the user's own repository, deterministically from a seed: fill-in-the-
// middle spans (a single line, a multi-line block body, an API call) with their prefix and suffix,
// and chat edits ("rename X to Y") checked against the original text. Files are taken round-robin
// across languages, in a seeded shuffle, and read only until enough tasks are cut.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { identifiers, removeComments, segments } from "./code-text.ts";
import type { Language } from "./languages.ts";
import { isHandWritten, listSourceFiles, type SourceFile } from "./repo-files.ts";

export const TASK_KINDS = ["line", "block", "api", "edit"] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

interface TaskBase {
  /** kind:file:line — stable for a seed and a repository state. */
  id: string;
  file: string;
  language: string;
  /** 1-based line where the held-out text starts. */
  line: number;
  /** The held-out text (FIM) or the original snippet (edit): the gold answer. */
  middle: string;
}

export interface FimTask extends TaskBase {
  kind: "line" | "block" | "api";
  prefix: string;
  suffix: string;
}

export interface EditTask extends TaskBase {
  kind: "edit";
  /** The snippet as the model gets it (with the identifier renamed). */
  before: string;
  instruction: string;
}

export type Task = FimTask | EditTask;

export interface SampleOptions {
  tasks: number;
  seed: number;
  languages?: string[];
  kinds?: readonly TaskKind[];
}

export interface Sample {
  tasks: Task[];
  /** Source files the sample was drawn from. */
  candidates: number;
}

const MAX_PREFIX = 4000;
const MAX_SUFFIX = 1500;
const MAX_FILE_BYTES = 512 * 1024;

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const pick = <T>(items: T[], random: () => number): T | undefined => items[Math.floor(random() * items.length)];

/** A file's text with its lines and where each starts. */
class Source {
  readonly file: SourceFile;
  readonly text: string;
  readonly lines: string[];
  readonly starts: number[] = [];
  constructor(file: SourceFile, text: string) {
    this.file = file;
    this.text = text;
    this.lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
    let at = 0;
    for (const line of text.split("\n")) {
      this.starts.push(at);
      at += line.length + 1;
    }
  }
  get language(): Language {
    return this.file.language;
  }
  indent(i: number): number {
    return /^\s*/.exec(this.lines[i] ?? "")![0].length;
  }
  blank(i: number): boolean {
    return (this.lines[i] ?? "").trim() === "";
  }
  /** Has code (not only a comment) and at least one identifier. */
  meaningful(text: string): boolean {
    return removeComments(text, this.language).trim() !== "" && identifiers(text, this.language).length > 0;
  }
  fim(kind: FimTask["kind"], line: number, start: number, end: number): FimTask {
    let from = Math.max(0, start - MAX_PREFIX);
    if (from > 0) from = this.text.indexOf("\n", from) + 1 || from;
    let to = Math.min(this.text.length, end + MAX_SUFFIX);
    if (to < this.text.length) to = Math.max(end, this.text.lastIndexOf("\n", to));
    const middle = this.text.slice(start, end);
    return { id: `${kind}:${this.file.path}:${line + 1}`, kind, file: this.file.path, language: this.language.id, line: line + 1, prefix: this.text.slice(from, start), middle, suffix: this.text.slice(end, to) };
  }
  /** Lines after `opener` indented deeper than it (blank lines inside included): [first, last]. */
  body(opener: number): [number, number] | undefined {
    const base = this.indent(opener);
    let last = -1;
    for (let j = opener + 1; j < this.lines.length; j++) {
      if (this.blank(j)) continue;
      if (this.indent(j) <= base) break;
      last = j;
    }
    return last > opener ? [opener + 1, last] : undefined;
  }
}

function cutLine(src: Source, random: () => number): FimTask | undefined {
  const candidates: number[] = [];
  src.lines.forEach((line, i) => {
    const code = line.trim();
    if (code.length >= 8 && code.length <= 160 && src.meaningful(code)) candidates.push(i);
  });
  const i = pick(candidates, random);
  if (i === undefined) return undefined;
  const start = src.starts[i]! + src.indent(i);
  return src.fim("line", i, start, src.starts[i]! + src.lines[i]!.trimEnd().length);
}

function cutBlock(src: Source, random: () => number): FimTask | undefined {
  const candidates: [number, number][] = [];
  for (let i = 0; i < src.lines.length; i++) {
    if (!/[{:]\s*$|\b(do|then)\s*$/.test(src.lines[i]!)) continue;
    const body = src.body(i);
    if (!body) continue;
    const [first, last] = body;
    const count = src.lines.slice(first, last + 1).filter((l) => l.trim() !== "").length;
    if (count < 2 || count > 15) continue;
    candidates.push(body);
  }
  const chosen = pick(candidates, random);
  if (!chosen) return undefined;
  const [first, last] = chosen;
  const start = src.starts[first]!;
  const end = src.starts[last]! + src.lines[last]!.trimEnd().length;
  if (!src.meaningful(src.text.slice(start, end))) return undefined;
  return src.fim("block", first, start, end);
}

const CALL = /(?<=[\w$)\]]\.)[A-Za-z_$][\w$]*\s*\(/g;

function cutApi(src: Source, random: () => number): FimTask | undefined {
  const candidates: { line: number; from: number; to: number }[] = [];
  src.lines.forEach((line, i) => {
    if (line.length > 300) return;
    const code = segments(line, src.language);
    for (const m of line.matchAll(CALL)) {
      const at = m.index;
      if (!code.some((s) => s.kind === "code" && s.start <= at && at < s.end)) continue;
      // The call's closing parenthesis on the same line.
      let depth = 0;
      let close = -1;
      for (let j = at + m[0].length - 1; j < line.length; j++) {
        if (line[j] === "(") depth++;
        else if (line[j] === ")" && --depth === 0) {
          close = j;
          break;
        }
      }
      if (close > 0 && close - at <= 120) candidates.push({ line: i, from: at, to: close + 1 });
    }
  });
  const chosen = pick(candidates, random);
  if (!chosen) return undefined;
  const base = src.starts[chosen.line]!;
  return src.fim("api", chosen.line, base + chosen.from, base + chosen.to);
}

function renamed(id: string, language: Language): string {
  const snake = id.includes("_") || ["python", "ruby", "rust", "c"].includes(language.id);
  return snake ? `old_${id}` : `old${id[0]!.toUpperCase()}${id.slice(1)}`;
}

function cutEdit(src: Source, random: () => number): EditTask | undefined {
  const windows: [number, number][] = [];
  for (let i = 0; i < src.lines.length; i++) {
    const body = src.body(i);
    if (body && body[1] - i >= 4 && body[1] - i <= 20) windows.push([i, Math.min(src.lines.length - 1, body[1] + 1)]);
  }
  const chosen = pick(windows, random);
  if (!chosen) return undefined;
  const [first, last] = chosen;
  const snippet = src.lines.slice(first, last + 1).join("\n");
  const counts = new Map<string, number>();
  for (const id of identifiers(snippet, src.language)) if (id.length >= 3) counts.set(id, (counts.get(id) ?? 0) + 1);
  const word = (w: string) => new RegExp(`(?<![\\w$])${w.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
  const ids = [...counts].filter(([id, n]) => n >= 2 && !word(renamed(id, src.language)).test(snippet)).map(([id]) => id);
  const id = pick(ids, random);
  if (!id) return undefined;
  const from = renamed(id, src.language);
  return {
    id: `edit:${src.file.path}:${first + 1}`,
    kind: "edit",
    file: src.file.path,
    language: src.language.id,
    line: first + 1,
    middle: snippet,
    before: snippet.replace(word(id), from),
    instruction: `Rename \`${from}\` to \`${id}\` everywhere in this code. Change nothing else.`,
  };
}

const CUTTERS: Record<TaskKind, (src: Source, random: () => number) => Task | undefined> = { line: cutLine, block: cutBlock, api: cutApi, edit: cutEdit };

function read(root: string, file: SourceFile): Source | undefined {
  try {
    const path = join(root, file.path);
    if (statSync(path).size > MAX_FILE_BYTES) return undefined;
    const text = readFileSync(path, "utf8");
    return isHandWritten(text) ? new Source(file, text) : undefined;
  } catch {
    return undefined;
  }
}

/** The same root, seed and options give the same tasks. */
export function sampleTasks(root: string, options: SampleOptions): Sample {
  const random = seededRandom(options.seed);
  const kinds = options.kinds?.length ? options.kinds : TASK_KINDS;
  const files = listSourceFiles(root, options.languages ? { languages: options.languages } : {});
  const byLanguage = new Map<string, SourceFile[]>();
  for (const f of files) {
    const group = byLanguage.get(f.language.id) ?? [];
    group.push(f);
    byLanguage.set(f.language.id, group);
  }
  const queues = [...byLanguage.keys()].sort().map((id) => shuffle(byLanguage.get(id)!, random));
  const tasks: Task[] = [];
  const seen = new Set<string>();
  const sources = new Map<SourceFile, Source | undefined>();
  const cut = (src: Source): Task | undefined => {
    const preferred = tasks.length % kinds.length;
    for (let k = 0; k < kinds.length; k++) {
      // A few draws per kind: a span already taken may be drawn again.
      for (let draw = 0; draw < 3; draw++) {
        const task = CUTTERS[kinds[(preferred + k) % kinds.length]!](src, random);
        if (!task) break;
        if (!seen.has(task.id)) return task;
      }
    }
    return undefined;
  };
  // Round-robin over languages, one task per file per pass; passes go on while they cut anything.
  for (let added = 1; added > 0 && tasks.length < options.tasks; ) {
    added = 0;
    const cursors = queues.map(() => 0);
    for (let more = true; more && tasks.length < options.tasks; ) {
      more = false;
      for (let q = 0; q < queues.length && tasks.length < options.tasks; q++) {
        const file = queues[q]![cursors[q]!++];
        if (!file) continue;
        more = true;
        if (!sources.has(file)) sources.set(file, read(root, file));
        const src = sources.get(file);
        const task = src && cut(src);
        if (!task) continue;
        seen.add(task.id);
        tasks.push(task);
        added++;
      }
    }
  }
  return { tasks, candidates: files.length };
}

// `opencode-lsp bench`'s own costs: cutting 40 tasks from a repository of 20 000 files (target
// under 2 s), against `git ls-files` alone (the floor: listing the tracked files) measured in the
// same run, inside git and outside it (a walk honouring .gitignore); and scoring one answer.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { languageById } from "../server/bench/languages.ts";
import { scoreSample } from "../server/bench/metrics.ts";
import { sampleTasks } from "../server/bench/tasks.ts";
import { medianTime } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "opencode-lsp bench: sampling tasks from a 20k-file repository, scoring";

const FILES = 20_000;
const ROUNDS = 5;

function source(i: number, ext: string): string {
  const name = `item${i}`;
  if (ext === "py") return `import math\n\n\nclass Thing${i}:\n    def __init__(self, size):\n        self.size = size\n\n    def area(self):\n        side = math.sqrt(self.size)\n        return side * side + ${i}\n\n\ndef make_${name}(n):\n    things = [Thing${i}(k) for k in range(n)]\n    return sum(t.area() for t in things)\n`;
  if (ext === "go") return `package p${i % 50}\n\nimport "strings"\n\nfunc Join${i}(parts []string) string {\n\tif len(parts) == 0 {\n\t\treturn ""\n\t}\n\treturn strings.Join(parts, ",")\n}\n`;
  return `// module ${i}\nexport interface Options${i} {\n  limit: number;\n  label: string;\n}\n\nexport function ${name}(values: number[], options: Options${i}): string {\n  const kept = values.filter((v) => v < options.limit);\n  if (kept.length === 0) {\n    return options.label;\n  }\n  const total = kept.reduce((a, b) => a + b, 0);\n  return \`\${options.label}: \${total.toFixed(2)}\`;\n}\n`;
}

function makeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), "bench-20k-"));
  const exts = ["ts", "py", "go", "ts"];
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `pkg${i % 200}`, `mod${i % 7}`);
    if (i < 1400) mkdirSync(dir, { recursive: true });
    const ext = exts[i % exts.length]!;
    writeFileSync(join(dir, `f${i}.${ext}`), source(i, ext));
  }
  mkdirSync(join(root, "node_modules", "dep"), { recursive: true });
  writeFileSync(join(root, "node_modules", "dep", "index.js"), "module.exports = 1;\n");
  writeFileSync(join(root, ".gitignore"), "node_modules/\n");
  execFileSync("git", ["init", "-q"], { cwd: root });
  execFileSync("git", ["add", "-A"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return root;
}

const time = (fn: () => void) => medianTime(fn, ROUNDS);

export async function run(): Promise<BenchRow[]> {
  const root = makeRepo();
  try {
    const options = { tasks: 40, seed: 1 };
    const list = time(() => execFileSync("git", ["-C", root, "ls-files", "-z", "--cached"], { maxBuffer: 64 * 1024 * 1024 }));
    const sample = time(() => sampleTasks(root, options));
    const same = JSON.stringify(sampleTasks(root, options)) === JSON.stringify(sampleTasks(root, options));
    rmSync(join(root, ".git"), { recursive: true, force: true });
    const walked = time(() => sampleTasks(root, options));
    const ts = languageById("typescript")!;
    const gold = "const kept = values.filter((v) => v < options.limit);\nif (kept.length === 0) {\n  return options.label;\n}";
    const guess = "const kept = values.filter((value) => value <= options.limit);\nif (!kept.length) {\n  return options.label;\n}";
    const score = time(() => {
      for (let i = 0; i < 100; i++) scoreSample(gold, guess, ts, { fim: true });
    }) / 100;
    return [
      { name: `${FILES} files in git: sample ${options.tasks} tasks`, value: `${sample.toFixed(0)} ms`, target: "< 2000 ms" },
      { name: `${FILES} files in git: git ls-files alone`, value: `${list.toFixed(0)} ms` },
      { name: "sampling / git ls-files", value: `${(sample / list).toFixed(2)}x` },
      { name: `${FILES} files, no git: sample ${options.tasks} tasks (walk + .gitignore)`, value: `${walked.toFixed(0)} ms`, target: "< 2000 ms" },
      { name: "same seed → same tasks", value: same ? "yes" : "NO" },
      { name: "score one answer (EM, ES, o200k token accuracy, identifier F1)", value: `${score.toFixed(3)} ms` },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

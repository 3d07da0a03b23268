// Realistic transcripts for the share tests and bench: a small generated repository that an agent
// reads, greps, edits and tests, turn after turn, with Markdown answers, code fences, tool outputs
// (line-numbered files, grep hits, test runs) and diffs. Deterministic (seeded).
import type { SharedMessage, Transcript } from "../../../server/share/transcript.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ["user", "session", "token", "cache", "request", "buffer", "config", "route", "payload", "worker", "queue", "document", "range", "symbol", "edit"];
const VERBS = ["parse", "load", "resolve", "merge", "render", "validate", "apply", "encode", "flush", "schedule", "compute", "normalize"];
const TYPES = ["string", "number", "boolean", "Uint8Array", "Map<string, number>", "string[]", "Promise<void>"];

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)]!;
}

function makeFile(r: () => number, name: string): string {
  const lines = [`// ${name}: ${pick(r, VERBS)}s ${pick(r, NOUNS)}s for the ${pick(r, NOUNS)} layer.`, `import { ${pick(r, VERBS)}${cap(pick(r, NOUNS))} } from "./${pick(r, NOUNS)}.ts";`, ""];
  const fns = 4 + Math.floor(r() * 6);
  for (let i = 0; i < fns; i++) {
    const fn = `${pick(r, VERBS)}${cap(pick(r, NOUNS))}${i}`;
    const arg = pick(r, NOUNS);
    lines.push(`/** ${cap(pick(r, VERBS))} the ${arg} and return its ${pick(r, NOUNS)}. */`);
    lines.push(`export function ${fn}(${arg}: ${pick(r, TYPES)}, limit = ${Math.floor(r() * 1000)}): ${pick(r, TYPES)} {`);
    const body = 2 + Math.floor(r() * 6);
    for (let j = 0; j < body; j++) {
      const v = pick(r, NOUNS);
      lines.push(
        pick(r, [
          `  const ${v}${j} = ${pick(r, VERBS)}${cap(pick(r, NOUNS))}(${arg}, limit - ${j});`,
          `  if (${v}${j - 1 >= 0 ? j - 1 : ""} === undefined) throw new Error("no ${v} for " + String(${arg}));`,
          `  for (const item of ${arg}.split?.(",") ?? []) total += item.length * ${Math.floor(r() * 10)};`,
          `  // ${pick(r, VERBS)} before ${pick(r, VERBS)}ing: the ${v} may be stale`,
          `  log.debug({ ${v}: ${arg}, limit }, "${pick(r, VERBS)} ${v}");`,
        ]),
      );
    }
    lines.push(`  return ${pick(r, NOUNS)}${Math.floor(r() * 5)} as never;`, "}", "");
  }
  return lines.join("\n");
}

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

function numbered(text: string): string {
  const lines = text.split("\n");
  const width = String(lines.length).length;
  return `${lines.map((l, i) => `${String(i + 1).padStart(width)}\t${l}`).join("\n")}\n\n(${lines.length} lines)`;
}

/** A transcript of about `count` messages. */
export function makeTranscript(count: number, seed = 1): Transcript {
  const r = rng(seed);
  const files = new Map<string, string>();
  for (let i = 0; i < 12; i++) files.set(`server/${pick(r, NOUNS)}/${pick(r, VERBS)}-${i}.ts`, makeFile(r, `file ${i}`));
  const paths = [...files.keys()];
  const messages: SharedMessage[] = [];
  const edits: { path: string; diff: string }[] = [];
  let t = Date.parse("2026-03-01T09:00:00.000Z");
  const at = () => new Date((t += 1000 + Math.floor(r() * 20000))).toISOString();
  let call = 0;
  while (messages.length < count) {
    const path = pick(r, paths);
    const fn = `${pick(r, VERBS)}${cap(pick(r, NOUNS))}`;
    messages.push({ role: "user", content: `Can you look at \`${path}\` and make **${fn}** handle an empty ${pick(r, NOUNS)}? The tests in \`test/${pick(r, NOUNS)}.test.ts\` fail.`, at: at() });
    if (messages.length >= count) break;
    const kind = r();
    const id = `call_${++call}`;
    if (kind < 0.35) {
      messages.push({ role: "assistant", content: `I'll read \`${path}\` first.`, toolCalls: [{ id, name: "read", input: { path } }], at: at() });
      messages.push({ role: "tool", toolCallId: id, toolName: "read", content: numbered(files.get(path)!), at: at() });
    } else if (kind < 0.6) {
      const needle = pick(r, NOUNS);
      messages.push({ role: "assistant", content: `Searching for uses of \`${needle}\`.`, toolCalls: [{ id, name: "grep", input: { pattern: needle, include: "*.ts" } }], at: at() });
      const hits: string[] = [];
      for (const [p, text] of files) text.split("\n").forEach((line, i) => line.includes(needle) && hits.length < 40 && hits.push(`${p}:${i + 1}:${line}`));
      messages.push({ role: "tool", toolCallId: id, toolName: "grep", content: hits.join("\n") || "No matches.", at: at() });
    } else if (kind < 0.85) {
      const lines = files.get(path)!.split("\n");
      const at0 = 3 + Math.floor(r() * Math.max(1, lines.length - 6));
      const old = lines[at0] ?? "";
      const replacement = `  if (limit <= 0) return ${pick(r, NOUNS)}0 as never; // empty ${pick(r, NOUNS)}`;
      messages.push({
        role: "assistant",
        content: `The guard is missing. Here is the change:\n\n\`\`\`ts\n${replacement}\n\`\`\``,
        toolCalls: [{ id, name: "edit", input: { path, oldString: old, newString: `${old}\n${replacement}` } }],
        at: at(),
      });
      const diff = `--- a/${path}\n+++ b/${path}\n@@ -${at0 + 1},3 +${at0 + 1},4 @@\n ${lines[at0 - 1] ?? ""}\n ${old}\n+${replacement}\n ${lines[at0 + 1] ?? ""}\n`;
      messages.push({ role: "tool", toolCallId: id, toolName: "edit", content: `Edited ${path}.\n\n${diff}`, at: at() });
      edits.push({ path, diff });
    } else {
      messages.push({ role: "assistant", content: "Running the tests.", toolCalls: [{ id, name: "bash", input: { command: "npx vitest run --reporter=dot" } }], at: at() });
      const failed = r() < 0.4;
      const out = [
        " RUN  v5.1.1 /work/project",
        "",
        ...paths.slice(0, 6).map((p) => ` ✓ test/${p.split("/").pop()!.replace(".ts", ".test.ts")} (${3 + Math.floor(r() * 20)} tests) ${Math.floor(r() * 300)}ms`),
        failed ? ` ✗ test/${pick(r, NOUNS)}.test.ts > ${fn} > handles an empty input\n   AssertionError: expected undefined to equal 0\n    at test/${pick(r, NOUNS)}.test.ts:${Math.floor(r() * 90)}:${Math.floor(r() * 30)}` : "",
        "",
        ` Test Files  ${failed ? "1 failed | " : ""}6 passed (${failed ? 7 : 6})`,
        `      Tests  ${failed ? "1 failed | " : ""}${40 + Math.floor(r() * 60)} passed`,
      ].join("\n");
      messages.push({ role: "tool", toolCallId: id, toolName: "bash", content: out, isError: failed, at: at() });
    }
    if (messages.length < count) {
      messages.push({
        role: "assistant",
        content: `Done. **${fn}** now returns early when the ${pick(r, NOUNS)} is empty:\n\n- the guard sits before the loop\n- \`limit <= 0\` is treated as empty\n\nSee [the docs](https://example.com/docs/${pick(r, NOUNS)}) for the contract.`,
        at: at(),
      });
    }
  }
  return {
    version: 1,
    sessionId: `ses_${seed.toString(36).padStart(8, "0")}`,
    title: `Fix empty-input handling (${count} messages)`,
    model: "anthropic/claude-sonnet-4-5",
    createdAt: "2026-03-01T09:00:00.000Z",
    messages: messages.slice(0, count),
    edits,
  };
}

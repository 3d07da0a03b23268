// What the review-before-write end-to-end tests share: a ten-line file, the scripted turn that
// changes two of its lines far apart (one edit call, so the server has to split it into two
// hunks), and the texts the buffer must hold at each step.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ScriptedProvider, ScriptedTurn } from "../support/providers/scripted-server.ts";
import { tsProject } from "./support.ts";

const line = (n: number, value = n) => `export const v${n} = ${value};`;
const lines = (change: Record<number, number> = {}) => Array.from({ length: 10 }, (_, i) => line(i + 1, change[i + 1] ?? i + 1));

/** The file before the turn (and after the undo). */
export const ORIGINAL = lines().join("\n") + "\n";
/** Both hunks: what the agent asked for (never in the buffer if review works). */
export const BOTH = lines({ 2: 20, 8: 80 }).join("\n") + "\n";
/** The first hunk accepted, the second rejected. */
export const FIRST_ONLY = lines({ 2: 20 }).join("\n") + "\n";

export const PROMPT = "make v2 and v8 ten times bigger";
export const ANSWER = "Changed v2 and v8.";

/** One edit over lines 2..8 that changes only line 2 and line 8, then the answer. */
export const REVIEW_TURNS: ScriptedTurn[] = [
  {
    toolCalls: [
      {
        id: "rev1",
        name: "edit",
        arguments: { path: "review.ts", oldString: lines().slice(1, 8).join("\n"), newString: lines({ 2: 20, 8: 80 }).slice(1, 8).join("\n") },
      },
    ],
  },
  { text: ANSWER },
];

/** The e2e project (support.ts's, proxy and scripted model included) with review.ts in it. */
export function reviewProject(provider: ScriptedProvider, extra: Record<string, unknown> = {}): { root: string; file: string } {
  const project = tsProject(provider, extra);
  const file = join(project.root, "review.ts");
  writeFileSync(file, ORIGINAL);
  return { root: project.root, file };
}

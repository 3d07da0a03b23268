// OpenCode's code actions: which ones a range offers (cheap: no model, no session), and the prompt
// each one runs when resolved or executed.
import * as z from "zod/mini";
import type { CodeAction, CodeActionParams, Diagnostic, Range } from "vscode-languageserver/node";
import { TASKS } from "../agent/tasks.ts";
import { range } from "./params.ts";

export type ActionKind = "fix" | "explain" | "refactor" | "tests" | "docs" | "instruction";

/** What an action carries to its resolve / command. */
export interface ActionData {
  opencode: ActionKind;
  uri: string;
  range: Range;
  diagnostic?: Diagnostic;
  instruction?: string;
}

const TITLES: Record<ActionKind, string> = {
  fix: "OpenCode: Fix this diagnostic",
  explain: "OpenCode: Explain",
  refactor: "OpenCode: Refactor selection",
  tests: "OpenCode: Write tests",
  docs: "OpenCode: Add documentation",
  instruction: "OpenCode: Run instruction in comment",
};

export const RUN_ACTION_COMMAND = "opencode.codeAction.run";

/** `// @opencode ...`, `# @opencode ...`, `-- @opencode ...`, `/* @opencode ... *\/`, `<!-- @opencode ... -->`. */
const INSTRUCTION = /(?:\/\/+|#+|--|;+|\/\*+|<!--|%+)\s*@opencode\s+(.+?)\s*(?:\*\/|-->)?\s*$/;

export function instructionIn(line: string): string | undefined {
  return INSTRUCTION.exec(line)?.[1];
}

const isEmpty = (r: Range) => r.start.line === r.end.line && r.start.character === r.end.character;

/**
 * The actions for a range. Each carries the command that runs it: the agent's turn runs when the
 * editor executes it (asynchronously in every editor), and its edits arrive as workspace/applyEdit.
 */
export function listCodeActions(params: CodeActionParams, lineText: (line: number) => string): CodeAction[] {
  const { uri } = params.textDocument;
  const only = params.context.only;
  const wanted = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  const add = (data: ActionData, kind: string, extra: Partial<CodeAction> = {}) => {
    if (!wanted(kind)) return;
    const title = TITLES[data.opencode];
    actions.push({
      title,
      kind,
      data,
      ...extra,
      command: { title, command: RUN_ACTION_COMMAND, arguments: [data] },
    });
  };
  for (const diagnostic of params.context.diagnostics.slice(0, 5)) {
    add({ opencode: "fix", uri, range: diagnostic.range, diagnostic }, "quickfix", { diagnostics: [diagnostic] });
  }
  const instruction = instructionIn(lineText(params.range.start.line));
  if (instruction) add({ opencode: "instruction", uri, range: params.range, instruction }, "quickfix");
  if (!isEmpty(params.range)) {
    for (const kind of ["explain", "refactor", "tests", "docs"] as const) add({ opencode: kind, uri, range: params.range }, "refactor.rewrite");
  }
  return actions;
}

const actionData = z.looseObject({
  opencode: z.enum(Object.keys(TITLES) as [ActionKind, ...ActionKind[]]),
  uri: z.string(),
  range,
  diagnostic: z.optional(z.looseObject({ range, message: z.string() })),
  instruction: z.optional(z.string()),
});

/** Whether `data` is an action's data, whole (it comes back from the editor: anything may). */
export function isActionData(data: unknown): data is ActionData {
  return z.safeParse(actionData, data).success;
}

export function actionTitle(kind: ActionKind): string {
  return TITLES[kind];
}

/** The prompt an action runs, given the file's path and text. */
export function actionPrompt(data: ActionData, path: string, text: string): { prompt: string; context: string[] } {
  const lines = text.split(/\r?\n/);
  const { start, end } = data.range;
  const selection = lines.slice(start.line, end.line + 1).join("\n");
  const around = (line: number, radius: number) => {
    const from = Math.max(0, line - radius);
    return `${path} lines ${from + 1}-${Math.min(lines.length, line + radius + 1)}:\n${lines.slice(from, line + radius + 1).join("\n")}`;
  };
  const where = `${path}:${start.line + 1}`;
  switch (data.opencode) {
    case "fix": {
      const d = data.diagnostic;
      const what = d ? `${d.source ? `[${d.source}${d.code !== undefined ? ` ${d.code}` : ""}] ` : ""}${d.message}` : "the diagnostic";
      return { prompt: TASKS.fix.prompt(`this diagnostic at ${where}: ${what}`), context: [around(start.line, 20)] };
    }
    case "explain":
      return { prompt: TASKS.explain.prompt(`the selected code in ${where}`), context: [`${path} lines ${start.line + 1}-${end.line + 1}:\n${selection}`] };
    case "refactor":
    case "tests":
    case "docs":
      return { prompt: TASKS[data.opencode].prompt(`the selected code in ${path} (lines ${start.line + 1}-${end.line + 1})`), context: [`Selection:\n${selection}`] };
    case "instruction":
      return { prompt: `${data.instruction}\n(This instruction was written in a comment at ${where}; that comment line has been removed already.)`, context: [around(start.line, 30)] };
  }
}

// How a task is put to a model: on the provider's fill-in-the-middle endpoint when it has one (Ollama
// always; an OpenAI-compatible model marked `fim: true`), otherwise as a FIM prompt over chat; chat
// edits always over chat. Always temperature 0. And how the answer is read back (code fences off).
import type { ModelInfo, ModelRequest, Protocol } from "../providers/index.ts";
import type { Task, TaskKind } from "./tasks.ts";

export type AskMode = "fim" | "prompt";

export const HOLE = "<FILL_HERE>";

const MAX_TOKENS: Record<TaskKind, number> = { line: 96, api: 96, block: 512, edit: 1536 };

const FIM_SYSTEM = `You are a code completion engine. The user sends a file with one hole marked ${HOLE}. Reply with exactly the code that belongs in the hole: no explanation, no code fences, and nothing of the code before or after the hole.`;
const EDIT_SYSTEM = "You edit code as instructed. Reply with the complete edited code only: no explanation, no code fences.";

/** Native FIM where the provider serves it for this model. */
export function askModeOf(protocol: Protocol, info: ModelInfo | undefined): AskMode {
  return protocol === "ollama" || (protocol === "openai" && info?.fim === true) ? "fim" : "prompt";
}

export function requestFor(task: Task, mode: AskMode): ModelRequest {
  const maxTokens = MAX_TOKENS[task.kind];
  if (task.kind === "edit") {
    return { system: EDIT_SYSTEM, messages: [{ role: "user", content: `${task.instruction}\n\n\`\`\`${task.language}\n${task.before}\n\`\`\`` }], maxTokens, temperature: 0 };
  }
  if (mode === "fim") return { messages: [], fim: { prefix: task.prefix, suffix: task.suffix }, maxTokens, temperature: 0 };
  return {
    system: FIM_SYSTEM,
    messages: [{ role: "user", content: `File: ${task.file}\n\`\`\`${task.language}\n${task.prefix}${HOLE}${task.suffix}\n\`\`\`` }],
    maxTokens,
    temperature: 0,
  };
}

const FENCED = /```[^\n`]*\n([\s\S]*?)(?:\n```|$)/;

/** The code in an answer: the first fenced block if the model fenced it anyway, else the text. */
export function answerOf(text: string): string {
  const fenced = FENCED.exec(text);
  return fenced ? fenced[1]! : text;
}

/** An Ollama model whose template has no suffix slot refuses FIM: ask it with a prompt instead. */
export function refusesFim(message: string): boolean {
  return /does not support insert|suffix.*not supported|not support.*suffix/i.test(message);
}

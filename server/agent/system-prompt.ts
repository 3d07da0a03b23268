// The system prompt: who the agent is, how to work, facts about the environment, and the
// project's own instructions (AGENTS.md at the workspace root).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { McpUnavailable } from "../mcp/types.ts";

export const INSTRUCTION_FILE = "AGENTS.md";
/** Instruction files larger than this are cut (with a note). */
const MAX_INSTRUCTIONS = 32 * 1024;

const ROLE = `You are OpenCode, a coding agent working inside the user's project through their editor or terminal.
Work in small verified steps: read before you edit, prefer the edit tool's exact replacements over rewriting files,
run the project's tests or build with bash when it helps, and keep the plan current with the todo tool on longer tasks.
Paths are relative to the workspace root. When you are done, answer briefly with what you changed.`;

export interface Environment {
  root: string;
  platform?: string;
  date?: Date;
  /** MCP servers the model cannot use this turn (their tools are missing), and why. */
  unavailableMcp?: McpUnavailable[];
}

export async function buildSystemPrompt(env: Environment): Promise<string> {
  const facts = [
    `Workspace root: ${env.root}`,
    `Platform: ${env.platform ?? process.platform}`,
    `Today's date: ${(env.date ?? new Date()).toISOString().slice(0, 10)}`,
  ];
  const parts = [ROLE, `<environment>\n${facts.join("\n")}\n</environment>`];
  if (env.unavailableMcp?.length) {
    const lines = env.unavailableMcp.map((u) => `- ${u.server}: ${u.reason}`);
    parts.push(`These MCP servers are unavailable now, so their tools are missing; do without them:\n${lines.join("\n")}`);
  }
  const instructions = await readInstructions(env.root);
  if (instructions) parts.push(`<project-instructions file="${INSTRUCTION_FILE}">\n${instructions}\n</project-instructions>`);
  return parts.join("\n\n");
}

async function readInstructions(root: string): Promise<string | undefined> {
  try {
    const text = await readFile(join(root, INSTRUCTION_FILE), "utf8");
    return text.length > MAX_INSTRUCTIONS ? `${text.slice(0, MAX_INSTRUCTIONS)}\n[... ${INSTRUCTION_FILE} cut at ${MAX_INSTRUCTIONS} characters]` : text;
  } catch {
    return undefined;
  }
}

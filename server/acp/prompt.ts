// A session/prompt's content blocks as the turn's prompt and attached context: text is the prompt,
// embedded resources (a file or selection the client attached) and resource links are context, and
// a leading slash command (/fix, /explain, /refactor, /tests, /docs, /review) becomes its stock task.
import type * as acp from "@agentclientprotocol/sdk";
import { TASKS, type TaskKind } from "../agent/tasks.ts";

const COMMANDS: TaskKind[] = ["fix", "explain", "refactor", "tests", "docs", "review"];

/** The slash commands, for available_commands_update. */
export function availableCommands(): acp.AvailableCommand[] {
  return COMMANDS.map((name) => ({ name, description: TASKS[name].description, input: { hint: name === "review" ? "what to review (default: the uncommitted changes)" : "what to work on, or attach the code" } }));
}

function describeResource(resource: acp.EmbeddedResourceResource): string {
  if ("text" in resource) return `${resource.uri} (as open in the editor):\n${resource.text}`;
  return `${resource.uri}: binary content (${resource.mimeType ?? "unknown type"}), not shown`;
}

/** What a command is about when the user names nothing: the attached code, or the workspace. */
function defaultTarget(command: TaskKind, hasContext: boolean): string {
  if (hasContext) return "the attached code";
  return command === "review" ? "the uncommitted changes in this workspace (see git diff)" : "the code the user is working on in this workspace";
}

export function promptOf(blocks: acp.ContentBlock[]): { text: string; context: string[] } {
  const texts: string[] = [];
  const context: string[] = [];
  for (const block of blocks) {
    if (block.type === "text") texts.push(block.text);
    else if (block.type === "resource") context.push(describeResource(block.resource));
    else if (block.type === "resource_link") context.push(`The user referenced ${block.uri}${block.title || block.name ? ` (${block.title ?? block.name})` : ""}; read it if it matters.`);
    else context.push(`The user attached ${block.type === "image" ? "an image" : "audio"} (${block.mimeType}), which this agent cannot see.`);
  }
  const text = texts.join("\n").trim();
  const command = /^\/(\w+)\b\s*([\s\S]*)$/.exec(text);
  const name = command?.[1] as TaskKind | undefined;
  if (command && name && COMMANDS.includes(name)) {
    const target = command[2]!.trim() || defaultTarget(name, context.length > 0);
    return { text: TASKS[name].prompt(target), context };
  }
  return { text, context };
}

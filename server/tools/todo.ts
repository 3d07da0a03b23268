// todo: the plan for this session — a list of entries with a status, kept in ctx.session. Called
// with `todos` it replaces the list; without, it shows it. The agent loop publishes the list from
// the result's metadata as a `plan` update.
import { z } from "zod";
import { defineTool, ok, type TodoItem } from "./types.ts";

const schema = z.object({
  todos: z
    .array(
      z.object({
        id: z.string().optional().describe("Stable id (default: position)"),
        content: z.string().min(1).describe("What to do"),
        status: z.enum(["pending", "in_progress", "completed", "cancelled"]),
        priority: z.enum(["high", "medium", "low"]).optional(),
      }),
    )
    .optional()
    .describe("The complete new list; omit to read the current one"),
});

const MARK: Record<TodoItem["status"], string> = { pending: "[ ]", in_progress: "[~]", completed: "[x]", cancelled: "[-]" };

export function renderTodos(todos: TodoItem[]): string {
  if (todos.length === 0) return "(the plan is empty)";
  return todos.map((t) => `${MARK[t.status]} ${t.content}${t.priority ? ` (${t.priority})` : ""}`).join("\n");
}

export const todoTool = defineTool({
  name: "todo",
  description:
    "Keep the plan for this task: pass the complete list of entries with their status (pending, in_progress, completed, cancelled) to replace it, or nothing to see it. Keep one entry in_progress at a time and update it as you go.",
  schema,
  title: (input) => (input.todos ? `plan (${input.todos.length} entries)` : "plan"),
  async run(input, ctx) {
    if (input.todos) {
      ctx.session.todos = input.todos.map((t, i) => ({
        id: t.id ?? String(i + 1),
        content: t.content,
        status: t.status,
        ...(t.priority ? { priority: t.priority } : {}),
      }));
    }
    const todos = ctx.session.todos;
    const open = todos.filter((t) => t.status === "pending" || t.status === "in_progress").length;
    return ok(`${renderTodos(todos)}\n(${open} open of ${todos.length})`, { todos: todos.map((t) => ({ ...t })) });
  },
});

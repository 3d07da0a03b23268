// The wording of the agent's stock tasks, shared by the fronts that offer them: the LSP front's code
// actions (on a selection or a diagnostic) and the ACP front's slash commands (/fix, /explain, ...).
// Each takes what the task is about ("the selected code in a.ts (lines 3-9)", the user's words).

export type TaskKind = "fix" | "explain" | "refactor" | "tests" | "docs" | "review";

export interface Task {
  /** One line for a command list. */
  description: string;
  /** The prompt, given what it is about. */
  prompt(target: string): string;
}

export const TASKS: Record<TaskKind, Task> = {
  fix: {
    description: "Fix a problem: a diagnostic, a failing test, a bug",
    prompt: (target) => `Fix ${target}\nMake the smallest correct change, with the edit tool.`,
  },
  explain: {
    description: "Explain what some code does, without changing anything",
    prompt: (target) => `Explain what ${target} does, briefly. Do not change any file.`,
  },
  refactor: {
    description: "Refactor code for clarity, keeping its behaviour",
    prompt: (target) => `Refactor ${target} for clarity without changing its behaviour. Edit the file.`,
  },
  tests: {
    description: "Write tests for some code",
    prompt: (target) => `Write tests for ${target}, following the project's test conventions. Create or edit the test file.`,
  },
  docs: {
    description: "Add documentation comments to some code",
    prompt: (target) => `Add documentation comments to ${target}, in the language's usual style. Edit the file.`,
  },
  review: {
    description: "Review code or the current changes: bugs, risks, clarity",
    prompt: (target) =>
      `Review ${target}: point out bugs, risky changes and unclear code, most important first, each with its file and line. Do not change any file.`,
  },
};

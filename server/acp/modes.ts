// The session modes ACP clients show (session/set_mode, or the "mode" config option), each a view
// of the configured permissions: ask before every edit, edit without asking, or read-only planning.
// A mode only tightens or loosens `edit` and `bash`; a "deny" in the configuration stays a deny.
import type * as acp from "@agentclientprotocol/sdk";
import type { Config } from "../config/index.ts";

export type ModeId = "ask" | "auto-edit" | "plan";

export const MODES: (acp.SessionMode & { id: ModeId })[] = [
  { id: "ask", name: "Ask", description: "Ask before every edit and every command the configuration does not allow" },
  { id: "auto-edit", name: "Auto-edit", description: "Edit files without asking; commands as configured" },
  { id: "plan", name: "Plan (read-only)", description: "Read, search and plan; no edits, no commands" },
];

export function isMode(id: string): id is ModeId {
  return MODES.some((m) => m.id === id);
}

/** The mode a new session starts in: the one that matches the configuration. */
export function initialMode(config: Config): ModeId {
  return config.permissions.edit === "allow" ? "auto-edit" : "ask";
}

/** The configuration as a session in `mode` sees it. */
export function withMode(config: Config, mode: ModeId): Config {
  const { edit, bash } = config.permissions;
  const permissions =
    mode === "plan"
      ? { ...config.permissions, edit: "deny" as const, bash: "deny" as const }
      : mode === "auto-edit"
        ? { ...config.permissions, edit: edit === "deny" ? ("deny" as const) : ("allow" as const) }
        : { ...config.permissions, edit: edit === "deny" ? ("deny" as const) : ("ask" as const), bash };
  return { ...config, permissions };
}

/** Said to the model with each prompt in plan mode, so it plans instead of trying edits that are refused. */
export const PLAN_MODE_NOTE =
  "Plan mode (read-only): you may read, search and keep a plan with the todo tool, but editing files and running commands are refused. Investigate, then answer with a step-by-step plan.";

export function modeState(current: ModeId): acp.SessionModeState {
  return { currentModeId: current, availableModes: MODES };
}

// A session's config options (session/new, session/set_config_option): the model, chosen among the
// catalogue's usable models (a key found, a local server answering), and the mode.
import type * as acp from "@agentclientprotocol/sdk";
import type { ModelEntry } from "../providers/index.ts";
import { MODES, type ModeId } from "./modes.ts";

export const MODEL_OPTION = "model";
export const MODE_OPTION = "mode";

/** The usable models, the session's own first if the catalogue does not list it. */
function modelChoices(models: ModelEntry[], current: string): acp.SessionConfigSelectOption[] {
  const usable = models.filter((m) => m.usable);
  const choices = usable.map((m) => ({ value: m.id, name: m.name === m.model ? m.id : `${m.name} (${m.id})`, description: `${m.providerName} · ${m.reason}` }));
  if (!usable.some((m) => m.id === current)) choices.unshift({ value: current, name: current, description: "the configured model" });
  return choices;
}

export function configOptions(models: ModelEntry[], state: { model: string; mode: ModeId }): acp.SessionConfigOption[] {
  return [
    {
      id: MODE_OPTION,
      name: "Mode",
      category: "mode",
      type: "select",
      currentValue: state.mode,
      options: MODES.map((m) => ({ value: m.id, name: m.name, description: m.description ?? null })),
    },
    {
      id: MODEL_OPTION,
      name: "Model",
      category: "model",
      type: "select",
      currentValue: state.model,
      options: modelChoices(models, state.model),
    },
  ];
}

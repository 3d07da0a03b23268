// Which models a benchmark asks: the ones named (each checked: a model that cannot be used is a clear
// error before anything is sent), or every usable one: hosted models whose key is present, and for
// each local server that answers (Ollama, LM Studio, llama.cpp, vLLM) the models it has loaded or pulled.
import type { Config } from "../config/schema.ts";
import { type ModelClient, parseModelId, type ResolvedProvider, resolveProviders } from "../providers/index.ts";

const TIMEOUT_MS = 1_500;

async function served(provider: ResolvedProvider): Promise<string[]> {
  const endpoint = provider.baseURL;
  if (!endpoint) return [];
  try {
    const response = await fetch(provider.protocol === "ollama" ? `${endpoint}/api/tags` : `${endpoint}/models`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) return [];
    const body = (await response.json()) as { models?: { name?: unknown }[]; data?: { id?: unknown }[] };
    const names = provider.protocol === "ollama" ? (body.models ?? []).map((m) => m.name) : (body.data ?? []).map((m) => m.id);
    return names.filter((n): n is string => typeof n === "string" && n !== "").map((n) => `${provider.id}/${n}`);
  } catch {
    return [];
  }
}

export type ModelChoice = { ok: true; models: string[] } | { ok: false; message: string };

export async function chooseModels(client: ModelClient, config: Pick<Config, "providers" | "policy">, env: NodeJS.ProcessEnv, requested: string[] | undefined): Promise<ModelChoice> {
  if (requested?.length) {
    const problems = requested.map((m) => client.checkModel(m)).filter((p): p is string => p !== undefined);
    return problems.length ? { ok: false, message: problems.join("; ") } : { ok: true, models: [...new Set(requested)] };
  }
  const hosted = (await client.listModels({ probe: false })).filter((e) => e.usable && !e.local).map((e) => e.id);
  // A local server that answers its model list is up; what it lists is what it can serve.
  const locals = [...resolveProviders(config, env).values()].filter((p) => p.local && !p.problem);
  const local = (await Promise.all(locals.map(served))).flat();
  const models = [...hosted, ...local];
  if (models.length === 0) return { ok: false, message: "no usable model: set a provider's API key or start a local server (see opencode-lsp models), or name models with --models" };
  return { ok: true, models };
}

/** The provider behind a model id (protocol, endpoint, local or not). */
export function providerOf(config: Pick<Config, "providers" | "policy">, env: NodeJS.ProcessEnv, model: string): ResolvedProvider | undefined {
  const parsed = parseModelId(model);
  return parsed ? resolveProviders(config, env).get(parsed.provider) : undefined;
}

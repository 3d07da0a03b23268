// The provider/model catalogue: shipped as data (catalogue.json), validated at load, merged with the
// user's `providers` config so providers and models can be added or overridden without code.
// zod/mini, like the config schema: this module can sit on the startup path.
import * as z from "zod/mini";
import type { Config, ProviderConfig } from "../config/schema.ts";
import raw from "./catalogue.json" with { type: "json" };
import type { Protocol } from "./types.ts";

const price = z.strictObject({ input: z.number().check(z.nonnegative()), output: z.number().check(z.nonnegative()) });

export const catalogueModelSchema = z.strictObject({
  name: z.string().check(z.minLength(1)),
  contextWindow: z.int().check(z.positive()),
  maxOutput: z.int().check(z.positive()),
  tools: z.boolean(),
  price,
  /** Served for fill-in-the-middle on the OpenAI-compatible completions endpoint (prompt + suffix). */
  fim: z.optional(z.boolean()),
});

export const catalogueProviderSchema = z
  .strictObject({
    name: z.string().check(z.minLength(1)),
    protocol: z.enum(["openai", "anthropic", "ollama"]),
    baseURL: z.string().check(z.regex(/^https?:\/\//, "expected an http(s) URL")),
    /** null for local servers, which need no key. */
    apiKeyEnv: z.nullable(z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/, "expected an env var name"))),
    local: z.boolean(),
    /** An env var that overrides the base URL (OLLAMA_HOST). */
    baseURLEnv: z.optional(z.string()),
    /** Header that carries the key instead of the SDK default (Azure: "api-key"). */
    authHeader: z.optional(z.string()),
    models: z.record(z.string().check(z.minLength(1)), catalogueModelSchema).check(z.refine((m) => Object.keys(m).length > 0, "a provider needs at least one model")),
  })
  .check(z.refine((p) => p.local || p.apiKeyEnv !== null, { message: "a hosted provider needs apiKeyEnv", path: ["apiKeyEnv"] }));

export const catalogueSchema = z.strictObject({
  $comment: z.optional(z.string()),
  version: z.literal(1),
  providers: z.record(z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, "expected a lowercase provider id")), catalogueProviderSchema),
});

export type Catalogue = z.infer<typeof catalogueSchema>;
export type CatalogueProvider = z.infer<typeof catalogueProviderSchema>;

let cached: Catalogue | undefined;

/** The shipped catalogue, validated once. Throws with the failing paths if the data is broken. */
export function loadCatalogue(): Catalogue {
  if (cached) return cached;
  const result = catalogueSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`providers/catalogue.json is invalid: ${issues}`);
  }
  cached = result.data;
  return cached;
}

export interface ModelInfo {
  /** "provider/model" */
  id: string;
  provider: string;
  model: string;
  name: string;
  contextWindow: number;
  maxOutput: number;
  tools: boolean;
  price: { input: number; output: number };
  /** Fill-in-the-middle on the completions endpoint (OpenAI-compatible providers; Ollama always has it). */
  fim?: boolean;
  /** Not in the catalogue or the config: metadata are defaults. */
  unlisted?: boolean;
}

export interface ResolvedProvider {
  id: string;
  name: string;
  protocol: Protocol;
  /** The first endpoint; undefined when the base URL needs an env var that is not set. */
  baseURL: string | undefined;
  endpoints: string[];
  apiKey: string | undefined;
  apiKeyEnv: string | undefined;
  authHeader: string | undefined;
  headers: Record<string, string>;
  local: boolean;
  models: Record<string, ModelInfo>;
  /** Why this provider cannot be used now (besides reachability), if it cannot. */
  problem: string | undefined;
}

const DEFAULT_MODEL = { contextWindow: 128_000, maxOutput: 8_192, tools: true, price: { input: 0, output: 0 } };

function isLocalURL(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]" || host === "0.0.0.0";
  } catch {
    return false;
  }
}

/** OLLAMA_HOST may be "host", "host:port" or a URL. */
function normalizeHostURL(value: string): string {
  let url = value.includes("://") ? value : `http://${value}`;
  url = url.replace("://0.0.0.0", "://127.0.0.1");
  return url.replace(/\/+$/, "");
}

/** `${VAR}` placeholders in a catalogue base URL, filled from env; the names of missing ones. */
function expand(url: string, env: NodeJS.ProcessEnv): { url: string; missing: string[] } {
  const missing: string[] = [];
  const out = url.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => {
    const value = env[name];
    if (!value) missing.push(name);
    return value ?? "";
  });
  return { url: out, missing };
}

function modelInfo(provider: string, model: string, base: Omit<ModelInfo, "id" | "provider" | "model">): ModelInfo {
  return { id: `${provider}/${model}`, provider, model, ...base };
}

/** Catalogue + config → every provider with its endpoints, key and models. */
export function resolveProviders(config: Pick<Config, "providers"> & { policy?: Config["policy"] }, env: NodeJS.ProcessEnv): Map<string, ResolvedProvider> {
  const catalogue = loadCatalogue();
  const out = new Map<string, ResolvedProvider>();
  const ids = new Set([...Object.keys(catalogue.providers), ...Object.keys(config.providers ?? {})]);
  for (const id of ids) {
    const entry: CatalogueProvider | undefined = catalogue.providers[id];
    const user: ProviderConfig = config.providers?.[id] ?? {};
    const problems: string[] = [];

    let baseURL: string | undefined = user.baseURL ?? (entry?.baseURLEnv && env[entry.baseURLEnv] ? normalizeHostURL(env[entry.baseURLEnv] as string) : entry?.baseURL);
    if (baseURL) {
      const { url, missing } = expand(baseURL, env);
      if (missing.length) {
        problems.push(`set ${missing.join(", ")} (or providers.${id}.baseURL)`);
        baseURL = undefined;
      } else baseURL = url.replace(/\/+$/, "");
    } else if (!user.endpoints?.length) problems.push(`no base URL: set providers.${id}.baseURL`);
    const endpoints = user.endpoints?.length ? user.endpoints.map((u) => u.replace(/\/+$/, "")) : baseURL ? [baseURL] : [];

    const local = entry ? entry.local && (user.baseURL === undefined || isLocalURL(user.baseURL)) && (user.endpoints ?? []).every(isLocalURL) : endpoints.length > 0 && endpoints.every(isLocalURL);
    const apiKeyEnv = user.apiKeyEnv ?? entry?.apiKeyEnv ?? undefined;
    const apiKey = user.apiKey ?? (apiKeyEnv ? env[apiKeyEnv] || undefined : undefined);
    if (!local && !apiKey) problems.push(apiKeyEnv ? `set ${apiKeyEnv}` : `set providers.${id}.apiKey or apiKeyEnv`);

    const allow = config.policy?.allowProviders;
    if (allow && !allow.includes(id)) problems.unshift("not in policy.allowProviders");
    if (config.policy?.offline && !local) problems.unshift("offline policy: hosted providers are disabled");

    const models: Record<string, ModelInfo> = {};
    for (const [model, m] of Object.entries(entry?.models ?? {})) models[model] = modelInfo(id, model, m);
    for (const [model, m] of Object.entries(user.models ?? {})) {
      const prev = models[model];
      models[model] = modelInfo(id, model, {
        name: m.name ?? prev?.name ?? model,
        contextWindow: m.contextWindow ?? prev?.contextWindow ?? DEFAULT_MODEL.contextWindow,
        maxOutput: m.maxOutput ?? prev?.maxOutput ?? DEFAULT_MODEL.maxOutput,
        tools: m.tools ?? prev?.tools ?? DEFAULT_MODEL.tools,
        price: m.price ?? prev?.price ?? (local ? { input: 0, output: 0 } : DEFAULT_MODEL.price),
        ...((m.fim ?? prev?.fim) !== undefined ? { fim: m.fim ?? prev?.fim } : {}),
      });
    }

    out.set(id, {
      id,
      name: entry?.name ?? id,
      protocol: user.protocol ?? entry?.protocol ?? "openai",
      baseURL: endpoints[0],
      endpoints,
      apiKey,
      apiKeyEnv,
      authHeader: entry?.authHeader,
      headers: user.headers ?? {},
      local,
      models,
      problem: problems[0],
    });
  }
  return out;
}

/** "provider/model" → its parts (the model part may itself contain slashes). */
export function parseModelId(id: string): { provider: string; model: string } | undefined {
  const slash = id.indexOf("/");
  if (slash <= 0 || slash === id.length - 1) return undefined;
  return { provider: id.slice(0, slash), model: id.slice(slash + 1) };
}

/** A model's metadata; a model the provider does not list gets defaults (any model a server has can be used). */
export function findModel(providers: Map<string, ResolvedProvider>, id: string): ModelInfo | undefined {
  const parsed = parseModelId(id);
  if (!parsed) return undefined;
  const provider = providers.get(parsed.provider);
  if (!provider) return undefined;
  return provider.models[parsed.model] ?? { ...modelInfo(parsed.provider, parsed.model, { name: parsed.model, ...DEFAULT_MODEL }), unlisted: true };
}

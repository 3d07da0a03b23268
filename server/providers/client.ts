// The single entry point the agent uses: createModelClient({ config, log, env }) → stream(model,
// request), plus the checks, metadata and stats the fronts need. SDKs load on the first stream.
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { loadAdapter } from "./adapters/index.ts";
import { type CacheStats, CompletionCache, recording, replay } from "./cache.ts";
import { findModel, type ModelInfo, parseModelId, type ResolvedProvider, resolveProviders } from "./catalogue.ts";
import { missingKeyMessage } from "./errors.ts";
import { guardAdapter } from "./guard.ts";
import { auditPolicyDenial, PolicyDenied } from "../privacy/policy.ts";
import { listModels, type ListModelsOptions, type ModelEntry } from "./models.ts";
import { type Candidate, type EndpointStats, Router, type RouterOptions } from "./router.ts";
import type { Adapter, ModelRequest, Protocol, StreamErrorInfo, StreamEvent } from "./types.ts";

type ClientConfig = Pick<Config, "providers"> & Partial<Pick<Config, "cache" | "policy">>;

export interface ModelClientOptions {
  config: ClientConfig;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  router?: RouterOptions;
  /** A stream that sends nothing for this long is an error (default 120 s). */
  idleTimeoutMs?: number;
}

export interface ProviderStats {
  endpoints: EndpointStats[];
  cache: CacheStats;
}

export interface ModelClient {
  /**
   * Streams one model request. `model` is "provider/model", or a list of them for a model reachable
   * through several providers (the router picks among all their endpoints). Never throws: failures
   * arrive as an `error` event; the stream always ends with `stop` or `error`.
   */
  stream(model: string | string[], request: ModelRequest): AsyncIterable<StreamEvent>;
  /**
   * One request to the model's first endpoint, as it comes: no fallback, retry, wait or circuit (a
   * router of its own per call), no cache. For measuring a model (`opencode-lsp bench`).
   */
  streamOnce(model: string, request: ModelRequest): AsyncIterable<StreamEvent>;
  /** Why this model cannot be used now (unknown provider, missing key...), or undefined. */
  checkModel(model: string): string | undefined;
  /** Catalogue/config metadata; defaults for a model its provider does not list. */
  modelInfo(model: string): ModelInfo | undefined;
  contextWindow(model: string): number | undefined;
  /** One line telling a user how to get a model going. */
  setupHint(): string;
  listModels(options?: ListModelsOptions): Promise<ModelEntry[]>;
  /** New configuration (didChangeConfiguration): providers re-resolved, cache resized; endpoint stats kept. */
  updateConfig(config: ClientConfig): void;
  /** Per-endpoint latency/error/circuit figures and cache hit/miss counts, as plain data. */
  stats(): ProviderStats;
}

const DEFAULT_CACHE = { maxEntries: 500, ttlMs: 10 * 60_000 };

function errorStream(error: StreamErrorInfo): AsyncIterable<StreamEvent> {
  return replay([{ type: "error", error }]);
}

export function createModelClient(options: ModelClientOptions): ModelClient {
  const env = options.env ?? process.env;
  const log = options.log;
  let config = options.config;
  let providers: Map<string, ResolvedProvider> | undefined;
  const resolved = () => (providers ??= resolveProviders(config, env));
  const cache = new CompletionCache(config.cache ?? DEFAULT_CACHE);
  // Every request passes the policy guard (offline hosts, allowProviders) right before its SDK call.
  const guarded = new Map<string, Promise<Adapter>>();
  const loadGuarded = (protocol: Protocol): Promise<Adapter> => {
    let adapter = guarded.get(protocol);
    if (!adapter) guarded.set(protocol, (adapter = loadAdapter(protocol).then((a) => guardAdapter(a, () => config.policy))));
    return adapter;
  };
  const router = new Router(loadGuarded, options.router, log);
  const idleTimeoutMs = options.idleTimeoutMs ?? 120_000;

  function checkModel(model: string): string | undefined {
    const parsed = parseModelId(model);
    if (!parsed) return `model "${model}" is not of the form provider/model`;
    const provider = resolved().get(parsed.provider);
    if (!provider) return `unknown provider "${parsed.provider}" in model "${model}" (add it under providers.${parsed.provider} with baseURL and protocol, or pick one of: ${[...resolved().keys()].join(", ")})`;
    if (provider.problem) return `${model}: ${provider.problem.startsWith("set ") && provider.apiKeyEnv && provider.problem === `set ${provider.apiKeyEnv}` ? missingKeyMessage({ provider: provider.id, apiKeyEnv: provider.apiKeyEnv }) : provider.problem}`;
    return undefined;
  }

  function candidatesFor(models: string[]): { candidates: Candidate[]; problems: string[] } {
    const candidates: Candidate[] = [];
    const problems: string[] = [];
    for (const id of models) {
      const problem = checkModel(id);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const parsed = parseModelId(id)!;
      const provider = resolved().get(parsed.provider)!;
      const info = findModel(resolved(), id);
      for (const endpoint of provider.endpoints) {
        candidates.push({
          protocol: provider.protocol,
          target: {
            provider: provider.id,
            protocol: provider.protocol,
            baseURL: endpoint,
            ...(provider.apiKey ? { apiKey: provider.apiKey } : {}),
            ...(provider.apiKeyEnv ? { apiKeyEnv: provider.apiKeyEnv } : {}),
            ...(provider.authHeader ? { authHeader: provider.authHeader } : {}),
            headers: provider.headers,
            model: parsed.model,
            ...(info ? { maxOutput: info.maxOutput } : {}),
            idleTimeoutMs,
          },
        });
      }
    }
    return { candidates, problems };
  }

  /** The stream for a model no endpoint can take (unknown, no key, refused by policy). */
  function unservable(models: string[], problems: string[]): AsyncIterable<StreamEvent> {
    const message = problems.join("; ") || `no endpoint for ${models.join(", ")}`;
    const policyProblem = problems.find((p) => /offline policy|policy\.allowProviders/.test(p));
    if (policyProblem) auditPolicyDenial(new PolicyDenied(/offline/.test(policyProblem) ? "offline" : "allowProviders", policyProblem), { model: models.join(",") });
    const kind = policyProblem ? "policy" : /API key|set [A-Z_]+/.test(message) ? "auth" : "config";
    return errorStream({ kind, message, ...(models.length === 1 ? { provider: parseModelId(models[0]!)?.provider ?? "" } : {}) });
  }

  return {
    stream(model, request) {
      const models = Array.isArray(model) ? model : [model];
      const { candidates, problems } = candidatesFor(models);
      if (candidates.length === 0) return unservable(models, problems);
      const signal = request.signal ?? new AbortController().signal;
      const key = cache.keyOf(models, request);
      if (key === undefined) return router.stream(candidates, request, signal);
      const hit = cache.get(key);
      if (hit) {
        log?.debug({ model: models.join(",") }, "completion cache hit");
        return replay(hit);
      }
      return recording(router.stream(candidates, request, signal), (events) => cache.set(key, events));
    },
    streamOnce(model, request) {
      const { candidates, problems } = candidatesFor([model]);
      if (candidates.length === 0) return unservable([model], problems);
      return new Router(loadGuarded, { maxAttempts: 1 }, log).stream(candidates.slice(0, 1), request, request.signal ?? new AbortController().signal);
    },
    checkModel,
    modelInfo: (model) => findModel(resolved(), model),
    contextWindow: (model) => findModel(resolved(), model)?.contextWindow,
    setupHint() {
      const ready = [...resolved().values()].filter((p) => !p.local && !p.problem);
      const first = ready[0];
      const firstModel = first ? Object.keys(first.models)[0] : undefined;
      if (first && firstModel) return `Providers with a key: ${ready.map((p) => p.id).join(", ")}. Pick a model with --model or "model" in opencode.json, e.g. "${first.id}/${firstModel}" (see \`opencode-lsp models\`).`;
      return 'No provider key found: set ANTHROPIC_API_KEY, OPENAI_API_KEY (or another provider\'s key, see `opencode-lsp models`), or run Ollama locally and use --model ollama/qwen2.5-coder:7b; then pick a model with --model or "model" in opencode.json.';
    },
    listModels: (opts) => listModels(config, env, opts),
    updateConfig(next) {
      config = next;
      providers = undefined;
      cache.configure(next.cache ?? DEFAULT_CACHE);
    },
    stats: () => ({ endpoints: router.stats(), cache: cache.stats() }),
  };
}

/** Drains a stream into one result: handy for tests, compaction and one-shot calls. */
export async function collect(stream: AsyncIterable<StreamEvent>): Promise<{
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; input: Record<string, unknown> }[];
  usage: { inputTokens: number; outputTokens: number; cachedTokens: number } | undefined;
  stop: string | undefined;
  error: StreamErrorInfo | undefined;
  events: StreamEvent[];
}> {
  const out = { text: "", reasoning: "", toolCalls: [] as { id: string; name: string; input: Record<string, unknown> }[], usage: undefined as { inputTokens: number; outputTokens: number; cachedTokens: number } | undefined, stop: undefined as string | undefined, error: undefined as StreamErrorInfo | undefined, events: [] as StreamEvent[] };
  for await (const event of stream) {
    out.events.push(event);
    if (event.type === "text") out.text += event.text;
    else if (event.type === "reasoning") out.reasoning += event.text;
    else if (event.type === "tool_call") out.toolCalls.push({ id: event.id, name: event.name, input: event.input });
    else if (event.type === "usage") out.usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens, cachedTokens: event.cachedTokens };
    else if (event.type === "stop") out.stop = event.reason;
    else out.error = event.error;
  }
  return out;
}

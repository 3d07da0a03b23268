// The providers layer: one interface over the openai / anthropic / ollama SDKs (loaded lazily), the
// catalogue, the router and the completion cache. Imports only config/ and log.ts.
export { createModelClient, collect, type ModelClient, type ModelClientOptions, type ProviderStats } from "./client.ts";
export { listModels, formatModelsTable, type ModelEntry, type ListModelsOptions } from "./models.ts";
export { loadCatalogue, resolveProviders, parseModelId, findModel, type ModelInfo, type ResolvedProvider, type Catalogue } from "./catalogue.ts";
export { Router, type EndpointStats, type RouterOptions, type CircuitState } from "./router.ts";
export { CompletionCache, type CacheStats } from "./cache.ts";
export { ProviderError } from "./errors.ts";
export type * from "./types.ts";

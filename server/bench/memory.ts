// What a local model costs in memory, as its server reports it: Ollama's /api/ps (the loaded model's
// size and how much of it sits in VRAM), and the Prometheus /metrics of OpenAI-compatible servers
// (vLLM's process_resident_memory_bytes and KV-cache usage, llama.cpp's KV-cache usage ratio).
// Asked after the model's run, while it is still loaded; a server that does not answer reports nothing.

export interface OllamaMemory {
  sizeBytes: number;
  vramBytes: number;
}

export interface ServerMemory {
  residentBytes?: number;
  kvCacheUsage?: number;
}

const TIMEOUT_MS = 2_000;

async function fetchOk(url: string): Promise<Response | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (response.ok) return response;
    await response.body?.cancel();
  } catch {
    // not answering: nothing to report
  }
  return undefined;
}

interface PsEntry {
  name?: unknown;
  model?: unknown;
  size?: unknown;
  size_vram?: unknown;
}

const withTag = (name: string) => (name.includes(":") ? name : `${name}:latest`);

export async function ollamaMemory(baseURL: string, model: string): Promise<OllamaMemory | undefined> {
  const response = await fetchOk(`${baseURL.replace(/\/+$/, "")}/api/ps`);
  const body = (await response?.json().catch(() => undefined)) as { models?: PsEntry[] } | undefined;
  const entry = body?.models?.find((m) => [m.name, m.model].some((n) => typeof n === "string" && withTag(n) === withTag(model)));
  if (!entry || typeof entry.size !== "number") return undefined;
  return { sizeBytes: entry.size, vramBytes: typeof entry.size_vram === "number" ? entry.size_vram : 0 };
}

/** The value of the first sample of a Prometheus metric (any labels). */
export function metricValue(text: string, name: string): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`^${escaped}(?:\\{[^}]*\\})?\\s+([-+0-9.eE]+|NaN)\\s*$`, "m").exec(text);
  const value = match ? Number(match[1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** An OpenAI-compatible base URL ("http://host:8000/v1") → its server's /metrics. */
export async function serverMemory(baseURL: string): Promise<ServerMemory | undefined> {
  const root = baseURL.replace(/\/+$/, "").replace(/\/v1$/, "");
  const response = await fetchOk(`${root}/metrics`);
  const text = await response?.text().catch(() => undefined);
  if (!text) return undefined;
  const residentBytes = metricValue(text, "process_resident_memory_bytes");
  const kv = metricValue(text, "vllm:gpu_cache_usage_perc") ?? metricValue(text, "vllm:kv_cache_usage_perc") ?? metricValue(text, "llamacpp:kv_cache_usage_ratio");
  const out: ServerMemory = {};
  if (residentBytes !== undefined) out.residentBytes = Math.round(residentBytes);
  if (kv !== undefined) out.kvCacheUsage = Math.min(1, Math.max(0, kv));
  return Object.keys(out).length ? out : undefined;
}

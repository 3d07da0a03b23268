// The models report behind `opencode-lsp models [--json]` and `opencode/models`: every catalogue and
// config model, and whether it is usable now (a key present; for local servers, answering on their
// port). Plain data and a terminal table; no CLI or LSP code here.
import { isLoopbackURL } from "../privacy/policy.ts";
import type { Config } from "../config/schema.ts";
import { resolveProviders, type ResolvedProvider } from "./catalogue.ts";
import type { Protocol } from "./types.ts";

export interface ModelEntry {
  /** "provider/model" */
  id: string;
  provider: string;
  providerName: string;
  model: string;
  name: string;
  protocol: Protocol;
  contextWindow: number;
  maxOutput: number;
  tools: boolean;
  /** USD per million tokens. */
  price: { input: number; output: number };
  local: boolean;
  usable: boolean;
  /** Why usable or not: "key from OPENAI_API_KEY", "set GROQ_API_KEY", "not answering on 127.0.0.1:11434"... */
  reason: string;
}

export interface ListModelsOptions {
  /** Probe local servers (default true). Without it, local providers are reported "not probed". */
  probe?: boolean;
  /** Per-probe timeout, ms (default 400). */
  probeTimeoutMs?: number;
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    return true; // any HTTP answer means the server is up
  } catch {
    return false;
  }
}

function probeURL(provider: ResolvedProvider, endpoint: string): string {
  return provider.protocol === "ollama" ? `${endpoint}/api/tags` : `${endpoint}/models`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Local providers: does any endpoint answer? Probed in parallel. */
async function probeLocal(providers: ResolvedProvider[], timeoutMs: number): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  await Promise.all(
    providers.map(async (p) => {
      const results = await Promise.all(p.endpoints.map((e) => answers(probeURL(p, e), timeoutMs)));
      const up = p.endpoints.find((_e, i) => results[i]);
      out.set(p.id, up);
    }),
  );
  return out;
}

export async function listModels(config: Pick<Config, "providers"> & { policy?: Config["policy"] }, env: NodeJS.ProcessEnv = process.env, options: ListModelsOptions = {}): Promise<ModelEntry[]> {
  const providers = resolveProviders(config, env);
  const probe = options.probe ?? true;
  // Offline mode probes loopback endpoints only (the same rule the request guard applies).
  const locals = [...providers.values()].filter((p) => p.local && !p.problem && p.endpoints.length > 0 && (!config.policy?.offline || p.endpoints.every(isLoopbackURL)));
  const up = probe ? await probeLocal(locals, options.probeTimeoutMs ?? 400) : new Map<string, string | undefined>();

  const entries: ModelEntry[] = [];
  for (const p of providers.values()) {
    let usable: boolean;
    let reason: string;
    if (p.problem) {
      usable = false;
      reason = p.problem;
    } else if (p.local) {
      const endpoint = up.get(p.id);
      usable = endpoint !== undefined;
      reason = !probe ? "not probed" : endpoint ? `answering on ${hostOf(endpoint)}` : `not answering on ${p.endpoints.map(hostOf).join(", ")}`;
    } else {
      usable = true;
      reason = config.providers?.[p.id]?.apiKey ? "key in config" : `key from ${p.apiKeyEnv}`;
    }
    for (const m of Object.values(p.models)) {
      entries.push({
        id: m.id,
        provider: p.id,
        providerName: p.name,
        model: m.model,
        name: m.name,
        protocol: p.protocol,
        contextWindow: m.contextWindow,
        maxOutput: m.maxOutput,
        tools: m.tools,
        price: m.price,
        local: p.local,
        usable,
        reason,
      });
    }
  }
  return entries;
}

function tokens(n: number): string {
  if (n >= 1_000_000) return `${Math.round(n / 100_000) / 10}M`;
  if (n >= 1000) return `${Math.round(n / 1000)}k`;
  return String(n);
}

function money(n: number): string {
  return n === 0 ? "0" : n < 1 ? n.toFixed(2).replace(/0$/, "") : String(Math.round(n * 100) / 100);
}

/** A plain-text table for the terminal, usable models first within each provider's block. */
export function formatModelsTable(entries: ModelEntry[]): string {
  const header = ["MODEL", "CONTEXT", "OUTPUT", "TOOLS", "$/MTOK IN/OUT", "STATUS"];
  const rows = entries.map((e) => [e.id, tokens(e.contextWindow), tokens(e.maxOutput), e.tools ? "yes" : "no", e.local ? "local" : `${money(e.price.input)}/${money(e.price.output)}`, `${e.usable ? "✓" : "✗"} ${e.reason}`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 1 || i === 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const usable = entries.filter((e) => e.usable).length;
  const providers = new Set(entries.map((e) => e.provider)).size;
  return [line(header), ...rows.map(line), "", `${entries.length} models from ${providers} providers; ${usable} usable now.`].join("\n");
}

// Local usage counters, off by default. When `telemetry.enabled`: prom-client counters (sessions,
// turns, tokens, tool calls, errors, per provider) in a registry of our own, served as Prometheus
// text on 127.0.0.1 only, and added to a small counters file under the XDG state directory on each
// flush so `opencode-lsp stats` can sum them up. Nothing is ever sent anywhere; the endpoint only
// answers. Labels are provider ids, tool names, error kinds and token directions, sanitized — never
// prompt or code content. When disabled, prom-client is not even loaded and nothing is written.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface ProviderCounters {
  sessions: number;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  toolCalls: number;
  errors: number;
}

export interface UsageFile {
  version: 1;
  since: string;
  updatedAt: string;
  providers: Record<string, ProviderCounters>;
}

export interface TelemetryOptions {
  enabled: boolean;
  /** Port of the metrics endpoint on 127.0.0.1 (0 = any free port; undefined = no endpoint). */
  port?: number;
  /** Where the counters are summed for `stats` (default: $XDG_STATE_HOME/opencode-lsp/usage.json). */
  usageFile?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  readonly enabled: boolean;
  /** `http://127.0.0.1:PORT/metrics` when the endpoint is up. */
  readonly url: string | undefined;
  sessionStarted(provider: string): void;
  turnEnded(provider: string): void;
  tokens(provider: string, usage: { inputTokens: number; outputTokens: number; cachedTokens?: number }): void;
  toolCall(provider: string, tool: string, status: "completed" | "failed"): void;
  error(provider: string, kind: string): void;
  /**
   * Counts what one session update tells (a `usage` update: tokens; a `tool_result`: a tool call).
   * Takes the update's shape structurally so the bus types need not be imported here.
   */
  observe(provider: string, update: { kind: string; [k: string]: unknown }, toolNames?: Map<string, string>): void;
  /** The Prometheus text exposition (empty when disabled). */
  metrics(): Promise<string>;
  /** Counters since this process started (or the last flush, for `pending`). */
  counters(): Record<string, ProviderCounters>;
  /** Adds what was counted since the last flush to the usage file. */
  flush(): void;
  /** Flushes and stops the endpoint. */
  close(): Promise<void>;
}

export function defaultUsagePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "opencode-lsp", "usage.json");
}

/** Label values: short, plain identifiers only. */
export function label(value: string): string {
  const clean = String(value).toLowerCase().replace(/[^a-z0-9._:/-]+/g, "_").slice(0, 64);
  return clean || "unknown";
}

const ZERO: ProviderCounters = { sessions: 0, turns: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, toolCalls: 0, errors: 0 };

class DisabledTelemetry implements Telemetry {
  readonly enabled = false;
  readonly url = undefined;
  sessionStarted(): void {}
  turnEnded(): void {}
  tokens(): void {}
  toolCall(): void {}
  error(): void {}
  observe(): void {}
  async metrics(): Promise<string> {
    return "";
  }
  counters(): Record<string, ProviderCounters> {
    return {};
  }
  flush(): void {}
  async close(): Promise<void> {}
}

/** Telemetry as configured: a no-op unless enabled. Starts the endpoint when a port is given. */
export async function createTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  if (!options.enabled) return new DisabledTelemetry();
  // prom-client is CommonJS: bundled, its exports sit on `default`.
  const loaded = await import("prom-client");
  const prom = ((loaded as unknown as { default?: typeof loaded }).default ?? loaded) as typeof loaded;
  const registry = new prom.Registry();
  const sessions = new prom.Counter({ name: "opencode_sessions_total", help: "Sessions started", labelNames: ["provider"], registers: [registry] });
  const turns = new prom.Counter({ name: "opencode_turns_total", help: "Agent turns run", labelNames: ["provider"], registers: [registry] });
  const tokens = new prom.Counter({ name: "opencode_tokens_total", help: "Model tokens, by direction (input, output, cached)", labelNames: ["provider", "direction"], registers: [registry] });
  const tools = new prom.Counter({ name: "opencode_tool_calls_total", help: "Tool calls, by tool and outcome", labelNames: ["provider", "tool", "status"], registers: [registry] });
  const errors = new prom.Counter({ name: "opencode_errors_total", help: "Provider and turn errors, by kind", labelNames: ["provider", "kind"], registers: [registry] });

  const usageFile = options.usageFile ?? defaultUsagePath(options.env);
  const total = new Map<string, ProviderCounters>();
  const pending = new Map<string, ProviderCounters>();
  const bump = (provider: string, field: keyof ProviderCounters, by: number) => {
    if (!Number.isFinite(by) || by <= 0) return;
    for (const map of [total, pending]) {
      let c = map.get(provider);
      if (!c) map.set(provider, (c = { ...ZERO }));
      c[field] += by;
    }
  };

  let server: Server | undefined;
  let url: string | undefined;
  if (options.port !== undefined) {
    server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url !== "/metrics" && req.url !== "/")) {
        res.writeHead(404).end();
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(options.port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address && typeof address === "object") url = `http://127.0.0.1:${address.port}/metrics`;
  }

  const telemetry: Telemetry = {
    enabled: true,
    url,
    sessionStarted(provider) {
      const p = label(provider);
      sessions.inc({ provider: p });
      bump(p, "sessions", 1);
    },
    turnEnded(provider) {
      const p = label(provider);
      turns.inc({ provider: p });
      bump(p, "turns", 1);
    },
    tokens(provider, usage) {
      const p = label(provider);
      const cached = usage.cachedTokens ?? 0;
      for (const [direction, n, field] of [["input", usage.inputTokens, "inputTokens"], ["output", usage.outputTokens, "outputTokens"], ["cached", cached, "cachedTokens"]] as const) {
        if (Number.isFinite(n) && n > 0) {
          tokens.inc({ provider: p, direction }, n);
          bump(p, field, n);
        }
      }
    },
    toolCall(provider, tool, status) {
      const p = label(provider);
      tools.inc({ provider: p, tool: label(tool), status: status === "completed" ? "completed" : "failed" });
      bump(p, "toolCalls", 1);
    },
    error(provider, kind) {
      const p = label(provider);
      errors.inc({ provider: p, kind: label(kind) });
      bump(p, "errors", 1);
    },
    observe(provider, update, toolNames) {
      if (update.kind === "usage") telemetry.tokens(provider, { inputTokens: Number(update.inputTokens) || 0, outputTokens: Number(update.outputTokens) || 0, cachedTokens: Number(update.cachedTokens) || 0 });
      else if (update.kind === "tool_call" && toolNames && typeof update.id === "string" && typeof update.tool === "string") toolNames.set(update.id, update.tool);
      else if (update.kind === "tool_result") {
        const id = typeof update.id === "string" ? update.id : "";
        const tool = toolNames?.get(id) ?? "unknown";
        toolNames?.delete(id);
        telemetry.toolCall(provider, tool, update.status === "completed" ? "completed" : "failed");
      }
    },
    metrics: () => registry.metrics(),
    counters: () => Object.fromEntries([...total].map(([k, v]) => [k, { ...v }])),
    flush() {
      if (pending.size === 0) return;
      const now = new Date().toISOString();
      const file = readUsage(usageFile) ?? { version: 1 as const, since: now, updatedAt: now, providers: {} };
      for (const [provider, counts] of pending) {
        const into = (file.providers[provider] ??= { ...ZERO });
        for (const key of Object.keys(ZERO) as (keyof ProviderCounters)[]) into[key] = (into[key] ?? 0) + counts[key];
      }
      file.updatedAt = now;
      mkdirSync(dirname(usageFile), { recursive: true, mode: 0o700 });
      const tmp = `${usageFile}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, usageFile);
      pending.clear();
    },
    async close() {
      telemetry.flush();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
  return telemetry;
}

function readUsage(path: string): UsageFile | undefined {
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as UsageFile;
    if (data && data.version === 1 && data.providers && typeof data.providers === "object") return data;
  } catch {
    // missing or unreadable: start over
  }
  return undefined;
}

export interface StatsSummary {
  enabled: boolean;
  file: string;
  since?: string;
  updatedAt?: string;
  providers: Record<string, ProviderCounters>;
  totals: ProviderCounters;
}

/** The counters `opencode-lsp stats` shows: the usage file summed up. */
export function statsSummary(options: { enabled: boolean; usageFile?: string; env?: NodeJS.ProcessEnv }): StatsSummary {
  const file = options.usageFile ?? defaultUsagePath(options.env);
  const data = readUsage(file);
  const providers = data?.providers ?? {};
  const totals = { ...ZERO };
  for (const counts of Object.values(providers)) for (const key of Object.keys(ZERO) as (keyof ProviderCounters)[]) totals[key] += counts[key] ?? 0;
  return { enabled: options.enabled, file, ...(data ? { since: data.since, updatedAt: data.updatedAt } : {}), providers, totals };
}

export function formatStats(summary: StatsSummary): string {
  const lines: string[] = [];
  if (!summary.enabled) lines.push("Telemetry is off (telemetry.enabled: false): no counters are kept.");
  if (!summary.since) {
    lines.push(summary.enabled ? `No usage counted yet (${summary.file}).` : "");
    return lines.filter(Boolean).join("\n");
  }
  lines.push(`Usage since ${summary.since} (updated ${summary.updatedAt}):`);
  const header = ["PROVIDER", "SESSIONS", "TURNS", "IN TOKENS", "OUT TOKENS", "CACHED", "TOOL CALLS", "ERRORS"];
  const row = (name: string, c: ProviderCounters) => [name, c.sessions, c.turns, c.inputTokens, c.outputTokens, c.cachedTokens, c.toolCalls, c.errors].map(String);
  const rows = [...Object.entries(summary.providers).sort(([a], [b]) => a.localeCompare(b)).map(([p, c]) => row(p, c)), row("total", summary.totals)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) lines.push(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
  return lines.join("\n");
}

/** `opencode-lsp stats [--json]`: returns the exit code. */
export async function statsCommand(args: string[], io: { stdout: (t: string) => void; stderr: (t: string) => void; env?: NodeJS.ProcessEnv; enabled: boolean; usageFile?: string }): Promise<number> {
  const unknown = args.find((a) => a !== "--json");
  if (unknown) {
    io.stderr(`opencode-lsp stats: unknown argument ${unknown}\n`);
    return 2;
  }
  const summary = statsSummary({ enabled: io.enabled, ...(io.usageFile ? { usageFile: io.usageFile } : {}), ...(io.env ? { env: io.env } : {}) });
  if (args.includes("--json")) io.stdout(`${JSON.stringify(summary)}\n`);
  else io.stdout(`${formatStats(summary)}\n`);
  return 0;
}

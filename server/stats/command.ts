// `opencode-lsp stats`: the usage counters — in the terminal (sparklines, heat grids, a table), as
// JSON, or as a page on 127.0.0.1 (--serve); `--erase` removes the store. With telemetry off
// nothing is shown or served (only --erase works, so a store from before can always go).
import { existsSync } from "node:fs";
import { DEFAULT_STATS_PORT } from "../config/ports.ts";
import { parseArgs } from "node:util";
import { buildView, MEASURES, type Filters, type Measure } from "./aggregate.ts";
import { DIMENSIONS } from "./counts.ts";
import { defaultUsagePath, UsageStore, UsageStoreError } from "./store.ts";
import { formatView } from "./terminal.ts";

export const STATS_HELP = `Usage: opencode-lsp stats [--json] [--days N] [--segment S] [--region R] [--provider P] [--model M] [--measure turns|sessions|tokens]
       opencode-lsp stats --serve [--port PORT]
       opencode-lsp stats --erase

The local usage counters, kept only when telemetry is enabled ("telemetry": { "enabled": true }):
sessions, turns, tokens, tool calls, edits and errors per hour, segment, region, provider, model
and workspace (its name hashed) — numbers only, never prompt or code text.
  (no flag)    per-day sparklines (last --days, default 30), hour × weekday and region × hour
               heat grids, and a table by segment/provider/model
  --json       the same figures as JSON
  --segment, --region, --provider, --model, --workspace   only the counts that match (--workspace
               takes the hash that --json lists under options.workspace)
  --measure    what the heat grids count (default turns)
  --serve      a dashboard page on 127.0.0.1 (default port ${DEFAULT_STATS_PORT}; --port 0 for any free port), with
               growth charts, heatmaps, filters and the table; also /metrics for Prometheus
  --erase      remove the usage store ($XDG_STATE_HOME/opencode-lsp/usage.json)`;

export interface StatsIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /** telemetry.enabled */
  enabled: boolean;
  usageFile?: string;
  timeZone?: string;
  /** For --serve: resolves when the page should stop (default: SIGINT or SIGTERM). */
  until?: (url: string) => Promise<void>;
}

/** Returns the exit code: 0 done, 1 the store cannot be read or served, 2 bad usage. */
export async function statsCommand(args: string[], io: StatsIO): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: "boolean" },
        erase: { type: "boolean" },
        serve: { type: "boolean" },
        port: { type: "string", short: "p" },
        days: { type: "string" },
        measure: { type: "string" },
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(DIMENSIONS.map((d) => [d, { type: "string" as const }])),
      },
    }));
  } catch (error) {
    return usage(io, (error as Error).message.replace(/\. To specify.*$/s, ""));
  }
  if (values.help) {
    io.stdout(`${STATS_HELP}\n`);
    return 0;
  }
  const file = io.usageFile ?? defaultUsagePath(io.env);
  const store = new UsageStore(file);
  if (values.erase) {
    if (Object.keys(values).length > 1) return usage(io, "--erase takes no other flag");
    io.stdout(store.erase() ? `Erased the usage store (${file}).\n` : `No usage store at ${file}.\n`);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!values.serve || !Number.isInteger(port) || port < 0 || port > 65535)) return usage(io, values.serve ? `--port takes a port number, got "${values.port}"` : "--port goes with --serve");
  const days = values.days === undefined ? 30 : Number(values.days);
  if (!Number.isInteger(days) || days < 1) return usage(io, `--days takes a positive number, got "${values.days}"`);
  const measure = (values.measure ?? "turns") as Measure;
  if (!MEASURES.includes(measure)) return usage(io, `--measure must be one of ${MEASURES.join(", ")}`);

  if (!io.enabled) {
    const off = 'Telemetry is off (telemetry.enabled: false): nothing is counted, kept or served.';
    const left = existsSync(file) ? ` A usage store from before is at ${file}; \`opencode-lsp stats --erase\` removes it.` : "";
    if (values.serve) {
      io.stderr(`opencode-lsp stats: ${off}${left}\n`);
      return 1;
    }
    io.stdout(values.json ? `${JSON.stringify({ enabled: false, file })}\n` : `${off}${left}\n`);
    return 0;
  }

  if (values.serve) {
    const { serveDashboard } = await import("./serve.ts");
    let server;
    try {
      server = await serveDashboard({ store, ...(port !== undefined ? { port } : {}) });
    } catch (error) {
      io.stderr(`opencode-lsp stats: cannot serve the dashboard: ${(error as Error).message}\n`);
      return 1;
    }
    io.stderr(`opencode-lsp usage dashboard on ${server.url} (Ctrl-C to stop)\n`);
    await (io.until ?? untilSignal)(server.url);
    await server.close();
    return 0;
  }

  try {
    const filters = Object.fromEntries(DIMENSIONS.filter((d) => values[d]).map((d) => [d, String(values[d])])) as Filters;
    const view = buildView(store.read(), { filters, measure, ...(io.timeZone ? { timeZone: io.timeZone } : {}) });
    io.stdout(values.json ? `${JSON.stringify({ enabled: true, file, ...view })}\n` : `${view.since ? formatView(view, { days }) : `No usage counted yet (${file}).`}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageStoreError)) throw error;
    io.stderr(`opencode-lsp stats: ${error.message}\n`);
    return 1;
  }
}

function usage(io: StatsIO, message: string): number {
  io.stderr(`opencode-lsp stats: ${message} (see opencode-lsp stats --help)\n`);
  return 2;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => process.once("SIGINT", () => resolve()).once("SIGTERM", () => resolve()));
}

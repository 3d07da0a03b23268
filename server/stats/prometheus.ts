// The usage counters as Prometheus text (prom-client): the store's totals plus what this process
// counted since its last flush, summed over hours. Every process serving /metrics shows the same
// monotonic totals, whichever editor's server holds the port; an erase is a counter reset.
// Served on 127.0.0.1 only; nothing is pushed anywhere.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mergeRows, type Counts, type Row } from "./counts.ts";

/** The labels every metric has; each metric adds its own (`direction`, `tool`/`status`, `outcome`, `kind`). */
export const COMMON_LABELS = ["provider", "model", "segment", "region", "workspace"] as const;

type Series = [Record<string, string>, number][];
interface MetricDef {
  name: string;
  help: string;
  labels: string[];
  series(c: Counts): Series;
}

export const METRICS: MetricDef[] = [
  { name: "opencode_sessions_total", help: "Sessions started", labels: [], series: (c) => [[{}, c.sessions]] },
  { name: "opencode_turns_total", help: "Agent turns run", labels: [], series: (c) => [[{}, c.turns]] },
  { name: "opencode_tokens_total", help: "Model tokens, by direction (input, output, cached)", labels: ["direction"], series: (c) => Object.entries(c.tokens).map(([direction, n]) => [{ direction }, n]) },
  {
    name: "opencode_tool_calls_total",
    help: "Tool calls, by tool and outcome",
    labels: ["tool", "status"],
    series: (c) => Object.entries(c.tools).flatMap(([tool, t]): Series => [[{ tool, status: "completed" }, t.completed ?? 0], [{ tool, status: "failed" }, t.failed ?? 0]]),
  },
  { name: "opencode_edits_total", help: "Edits the agent applied, and those accepted, rejected or reverted after", labels: ["outcome"], series: (c) => Object.entries(c.edits).map(([outcome, n]) => [{ outcome }, n]) },
  { name: "opencode_errors_total", help: "Failed turns, by error kind", labels: ["kind"], series: (c) => Object.entries(c.errors).map(([kind, n]) => [{ kind }, n]) },
];

/**
 * Turns by UTC weekday and hour, for the hour × weekday heatmap: Prometheus keeps time series, not
 * hour-of-week buckets, so they are exported as such (by segment and region only, 168 series each).
 */
export const HOUR_OF_WEEK = { name: "opencode_turns_by_hour_total", help: "Agent turns, by UTC weekday and hour of the day", labels: ["segment", "region", "weekday", "hour"] } as const;
/** ISO weekday number first, so the labels sort Monday to Sunday. */
const WEEKDAY_LABELS = ["7-sun", "1-mon", "2-tue", "3-wed", "4-thu", "5-fri", "6-sat"];

export interface Exposition {
  contentType: string;
  metrics(): Promise<string>;
}

/** An exposition of whatever rows `source` returns at each scrape. */
export async function createExposition(source: () => Row[]): Promise<Exposition> {
  // prom-client is CommonJS: bundled, its exports sit on `default`.
  const loaded = await import("prom-client");
  const prom = ((loaded as unknown as { default?: typeof loaded }).default ?? loaded) as typeof loaded;
  const registry = new prom.Registry();
  let totals: Row[] = [];
  for (const def of METRICS) {
    new prom.Counter({
      name: def.name,
      help: def.help,
      labelNames: [...COMMON_LABELS, ...def.labels],
      registers: [registry],
      collect() {
        this.reset();
        for (const row of totals) {
          const common = Object.fromEntries(COMMON_LABELS.map((l) => [l, row[l]]));
          for (const [labels, value] of def.series(row.counts)) this.inc({ ...common, ...labels }, value);
        }
      },
    });
  }
  let byHour: Row[] = [];
  new prom.Counter({
    ...HOUR_OF_WEEK,
    labelNames: [...HOUR_OF_WEEK.labels],
    registers: [registry],
    collect() {
      this.reset();
      for (const row of byHour) {
        const [weekday, hour] = row.hour.split(" ") as [string, string];
        this.inc({ segment: row.segment, region: row.region, weekday, hour }, row.counts.turns);
      }
    },
  });
  return {
    contentType: registry.contentType,
    metrics: async () => {
      // Summed once per scrape, for every metric.
      const rows = source();
      totals = mergeRows(rows.map((r) => ({ ...r, hour: "" })));
      byHour = mergeRows(rows.map((r) => ({ ...r, hour: `${WEEKDAY_LABELS[new Date(`${r.hour}:00:00Z`).getUTCDay()]} ${r.hour.slice(11, 13)}`, provider: "", model: "", workspace: "" })));
      return registry.metrics();
    },
  };
}

/** Answers GET /metrics (and /) with the exposition; false for any other request. */
export function answerMetrics(req: IncomingMessage, res: ServerResponse, exposition: Exposition): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" || (path !== "/metrics" && path !== "/")) return false;
  exposition.metrics().then(
    (text) => res.writeHead(200, { "content-type": exposition.contentType, "cache-control": "no-store" }).end(text),
    (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`),
  );
  return true;
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** The metrics endpoint on 127.0.0.1:port (0: any free port). Rejects when the port is taken. */
export async function serveMetrics(port: number, exposition: Exposition): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (!answerMetrics(req, res, exposition)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

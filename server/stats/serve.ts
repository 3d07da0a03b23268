// `opencode-lsp stats --serve`: the usage dashboard on 127.0.0.1. The page, its script and style,
// uPlot (from the package's own dependency, no CDN), the UsageView as JSON for the chosen filters,
// and /metrics (the same Prometheus text the editor's server exposes). Nothing else is answered.
import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { buildView, MEASURES, type Measure } from "./aggregate.ts";
import { DIMENSIONS } from "./counts.ts";
import { DASHBOARD_CSP, DASHBOARD_CSS, DASHBOARD_HTML } from "./page-html.ts";
import { DASHBOARD_SCRIPT } from "./page-script.ts";
import { answerMetrics, createExposition } from "./prometheus.ts";
import type { UsageStore } from "./store.ts";
import { COLUMNS } from "./terminal.ts";

import { DEFAULT_STATS_PORT } from "../config/ports.ts";
export { DEFAULT_STATS_PORT };

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const HEADERS = {
  "Content-Security-Policy": DASHBOARD_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

function uplotFile(name: string): Buffer {
  return readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${name}`));
}

export async function serveDashboard(options: { store: UsageStore; port?: number }): Promise<DashboardServer> {
  const { store } = options;
  const files: Record<string, [string, string | Buffer]> = {
    "/": ["text/html; charset=utf-8", DASHBOARD_HTML],
    "/index.html": ["text/html; charset=utf-8", DASHBOARD_HTML],
    "/dashboard.js": ["text/javascript; charset=utf-8", DASHBOARD_SCRIPT],
    "/dashboard.css": ["text/css; charset=utf-8", DASHBOARD_CSS],
    "/uplot.js": ["text/javascript; charset=utf-8", uplotFile("uPlot.iife.min.js")],
    "/uplot.css": ["text/css; charset=utf-8", uplotFile("uPlot.min.css")],
  };
  const exposition = await createExposition(() => store.read()?.rows ?? []);
  const columns = COLUMNS.map(([heading, key]) => ({ heading: heading[0] + heading.slice(1).toLowerCase(), key }));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain; charset=utf-8", "method not allowed\n");
    const file = files[url.pathname];
    if (file) return send(res, 200, file[0], req.method === "HEAD" ? "" : file[1]);
    if (url.pathname === "/favicon.ico") return send(res, 204, "image/x-icon", "");
    if (url.pathname === "/api/usage") {
      const q = url.searchParams;
      const measure = q.get("measure") ?? "turns";
      if (!(MEASURES as readonly string[]).includes(measure)) return json(res, 400, { error: `measure must be one of ${MEASURES.join(", ")}` });
      try {
        const filters = Object.fromEntries(DIMENSIONS.map((d) => [d, q.get(d) ?? ""]));
        const view = buildView(store.read(), { filters, measure: measure as Measure, ...(q.get("tz") ? { timeZone: q.get("tz")! } : {}) });
        return json(res, 200, { view, columns });
      } catch (error) {
        return json(res, error instanceof RangeError ? 400 : 500, { error: (error as Error).message });
      }
    }
    if (answerMetrics(req, res, exposition)) return;
    send(res, 404, "text/plain; charset=utf-8", "not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_STATS_PORT, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...HEADERS, "Content-Type": type }).end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value));
}

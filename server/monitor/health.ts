// The health report (`opencode/health`): process figures plus what the layers register.
import type { Bus } from "../bus/bus.ts";
import { LatencyTable, type LatencySummary } from "./latency.ts";

export interface HealthReport {
  version: string;
  uptimeMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  requests: { total: number; byMethod: Record<string, LatencySummary> };
  [section: string]: unknown;
}

/** A layer's contribution to the report, e.g. `documents: { open: 3 }`. */
export type HealthSection = () => unknown;

export class HealthMonitor {
  private readonly started = performance.now();
  private readonly latency = new LatencyTable();
  private readonly sections = new Map<string, HealthSection>();

  private readonly version: string;

  constructor(bus: Bus, version: string) {
    this.version = version;
    bus.on("request.completed", (e) => this.latency.record(e.method, e.ms, e.ok));
  }

  addSection(name: string, section: HealthSection): void {
    this.sections.set(name, section);
  }

  report(): HealthReport {
    const mem = process.memoryUsage();
    const report: HealthReport = {
      version: this.version,
      uptimeMs: Math.round(performance.now() - this.started),
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      heapTotal: mem.heapTotal,
      requests: { total: this.latency.total, byMethod: this.latency.summary() },
    };
    for (const [name, section] of this.sections) report[name] = section();
    return report;
  }
}

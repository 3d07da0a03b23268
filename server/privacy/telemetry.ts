// Local usage counters, off by default. When `telemetry.enabled`, the counters (sessions, turns,
// tokens, tool calls by tool, edits applied/accepted/rejected/reverted, errors by kind) are fed from
// the bus, kept per hour bucket, segment, region, provider, model and workspace (its name hashed),
// and added to the usage store (stats/store.ts) shortly after each count and at close. With a port
// they are also served as Prometheus text on 127.0.0.1. Nothing is ever sent anywhere. Labels are
// sanitized identifiers — never prompt or code content. When disabled, nothing is loaded, counted,
// written or served.
import type { Bus } from "../bus/bus.ts";
import type { EventOf } from "../bus/events.ts";
import { addCounts, emptyCounts, label, mergeRows, type CountsDelta, type Row } from "../stats/counts.ts";
import { DEFAULT_SEGMENT, hourOf, regionFromTimeZone, splitModel, workspaceHash } from "../stats/dims.ts";
import type { Exposition, MetricsServer } from "../stats/prometheus.ts";
import { defaultUsagePath, UsageStore } from "../stats/store.ts";

export { defaultUsagePath } from "../stats/store.ts";

export interface TelemetryOptions {
  enabled: boolean;
  /** Port of the metrics endpoint on 127.0.0.1 (0 = any free port; undefined = no endpoint). */
  port?: number;
  /** The usage store (default: $XDG_STATE_HOME/opencode-lsp/usage.json). */
  usageFile?: string;
  env?: NodeJS.ProcessEnv;
  /** `telemetry.segment`: "enterprise", "hobbyist", a team name (default "default"). */
  segment?: string;
  /** `telemetry.region` (default: from the time zone, never from an IP address). */
  region?: string;
  /** The workspace root; counted as a hash of its folder's name. */
  root?: string;
  /** Counts are flushed this long after the first one that is pending (default 5 s), and at close. */
  flushDelayMs?: number;
  now?: () => Date;
  /** Told when something does not work out (the port is taken, the store could not be written). */
  warn?: (message: string) => void;
}

export type ReviewOutcome = "accepted" | "rejected";

export interface Telemetry {
  readonly enabled: boolean;
  /** `http://127.0.0.1:PORT/metrics` when the endpoint is up. */
  readonly url: string | undefined;
  /** Adds to the counters of a model ("provider/model"), in this hour. */
  count(model: string | undefined, delta: CountsDelta): void;
  /** The review feature's verdict on edits (fed by the bus event `session.edits_reviewed`). */
  editsReviewed(model: string | undefined, outcome: ReviewOutcome, edits: number): void;
  /** Counts what the bus tells about sessions; `modelOf` names a session's model. Returns the unsubscribe. */
  observe(bus: Bus, modelOf: (sessionId: string) => string | undefined): () => void;
  /** The Prometheus text exposition: the store plus what is pending (empty when disabled). */
  metrics(): Promise<string>;
  /** What was counted since the last flush. */
  pending(): Row[];
  /** Adds what is pending to the store (kept pending if the store cannot be written). */
  flush(): void;
  /** Flushes and stops the endpoint. */
  close(): Promise<void>;
}

const DISABLED: Telemetry = {
  enabled: false,
  url: undefined,
  count() {},
  editsReviewed() {},
  observe: () => () => {},
  metrics: async () => "",
  pending: () => [],
  flush() {},
  async close() {},
};

/** Telemetry as configured: a no-op unless enabled. Starts the endpoint when a port is given. */
export async function createTelemetry(options: TelemetryOptions): Promise<Telemetry> {
  if (!options.enabled) return DISABLED;
  const now = options.now ?? (() => new Date());
  const warn = options.warn ?? (() => {});
  const store = new UsageStore(options.usageFile ?? defaultUsagePath(options.env));
  const where = {
    segment: label(options.segment ?? DEFAULT_SEGMENT),
    region: label(options.region ?? regionFromTimeZone()),
    workspace: options.root ? workspaceHash(options.root) : "unknown",
  };
  let pending = new Map<string, Row>();
  let timer: NodeJS.Timeout | undefined;
  const keep = (row: Row) => {
    const key = `${row.hour}/${row.provider}/${row.model}`;
    const into = pending.get(key);
    if (into) addCounts(into.counts, row.counts);
    else pending.set(key, row);
    timer ??= setTimeout(() => telemetry.flush(), options.flushDelayMs ?? 5000).unref();
  };

  const telemetry: Telemetry = {
    enabled: true,
    get url() {
      return server?.url;
    },
    count(model, delta) {
      keep({ hour: hourOf(now()), ...where, ...splitModel(model), counts: addCounts(emptyCounts(), delta) });
    },
    editsReviewed(model, outcome, edits) {
      telemetry.count(model, { edits: { [outcome]: edits } });
    },
    observe(bus, modelOf) {
      const toolNames = new Map<string, string>();
      const editsSinceRevert = new Map<string, number>();
      // Only the sessions this observer knows (modelOf answers): fronts that share a bus count their own.
      const mine = <T extends "session.created" | "session.turn_ended" | "session.reverted" | "session.edits_reviewed" | "session.update">(type: T, handle: (model: string, e: EventOf<T>) => void) =>
        bus.on(type, (e) => {
          const model = modelOf((e as { sessionId: string }).sessionId);
          if (model !== undefined) handle(model, e);
        });
      const stops = [
        mine("session.created", (model) => telemetry.count(model, { sessions: 1 })),
        mine("session.turn_ended", (model, e) => telemetry.count(model, { turns: 1, ...(e.stopReason === "error" ? { errors: { [label(e.errorKind ?? "unknown")]: 1 } } : {}) })),
        mine("session.reverted", (model, e) => {
          const edits = editsSinceRevert.get(e.sessionId) ?? 0;
          editsSinceRevert.delete(e.sessionId);
          if (e.files > 0) telemetry.count(model, { edits: { reverted: edits } });
        }),
        mine("session.edits_reviewed", (model, e) => telemetry.editsReviewed(model, e.outcome, e.edits)),
        mine("session.update", (model, { sessionId, update: u }) => {
          if (u.kind === "usage") telemetry.count(model, { tokens: { input: u.inputTokens, output: u.outputTokens, cached: u.cachedTokens } });
          else if (u.kind === "tool_call") toolNames.set(`${sessionId}/${u.id}`, u.tool);
          else if (u.kind === "tool_result") {
            const key = `${sessionId}/${u.id}`;
            const tool = label(toolNames.get(key) ?? "unknown");
            toolNames.delete(key);
            telemetry.count(model, { tools: { [tool]: { [u.status === "completed" ? "completed" : "failed"]: 1 } } });
          } else if (u.kind === "edit") {
            editsSinceRevert.set(sessionId, (editsSinceRevert.get(sessionId) ?? 0) + 1);
            telemetry.count(model, { edits: { applied: 1 } });
          }
        }),
      ];
      return () => stops.forEach((stop) => stop());
    },
    metrics: async () => (await exposition()).metrics(),
    pending: () => mergeRows([...pending.values()]),
    flush() {
      clearTimeout(timer);
      timer = undefined;
      if (pending.size === 0) return;
      const rows = [...pending.values()];
      pending = new Map();
      try {
        const { movedAside } = store.add(rows, now());
        if (movedAside) warn(`the usage store could not be read; it was moved to ${movedAside} and a new one started`);
      } catch (error) {
        // Kept for the next flush (scheduled again): nothing counted is lost because the store was busy.
        for (const row of rows) keep(row);
        warn(`usage counters not written yet: ${(error as Error).message}`);
      }
    },
    async close() {
      telemetry.flush();
      await server?.close();
    },
  };

  // The exposition (prom-client, loaded when first needed) is the store's totals — every process's —
  // plus this process's pending counts.
  let loaded: Promise<Exposition> | undefined;
  const exposition = () => (loaded ??= import("../stats/prometheus.ts").then((p) => p.createExposition(() => mergeRows(store.read()?.rows ?? [], telemetry.pending()))));
  let server: MetricsServer | undefined;
  if (options.port !== undefined) {
    try {
      const { serveMetrics } = await import("../stats/prometheus.ts");
      server = await serveMetrics(options.port, await exposition());
    } catch (error) {
      warn(`the metrics endpoint could not listen on 127.0.0.1:${options.port} (${(error as Error).message}); counting goes on, and whichever opencode-lsp holds the port serves the same totals`);
    }
  }
  return telemetry;
}

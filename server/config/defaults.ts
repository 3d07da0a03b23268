import type { Config } from "./schema.ts";

/** Built-in defaults: the first and weakest configuration source. */
export const DEFAULTS: Config = {
  providers: {},
  proxy: {},
  mcp: {},
  permissions: { edit: "ask", bash: "ask", read: "allow", webfetch: "ask", mcp: "ask" },
  retention: "none",
  telemetry: { enabled: false },
  audit: { enabled: false },
  share: { sign: true },
  policy: { offline: false, denyTools: [] },
  offline: { trustedKeys: [] },
  completion: { enabled: false, debounceMs: 150 },
  cache: { maxEntries: 500, ttlMs: 10 * 60_000 },
  edits: { echoTimeoutMs: 2000, deliveryTimeoutMs: 5000 },
};

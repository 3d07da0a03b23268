// Every event that crosses layers, as one discriminated union. Producers publish plain objects;
// the adapters in lsp/ (and later acp/) turn them into editor calls.
import type { ConfigIssue } from "../config/index.ts";

export type BusEvent =
  /** A request finished; the monitor keeps latency percentiles from these. */
  | { type: "request.completed"; method: string; ms: number; ok: boolean }
  /** The effective configuration changed (after a reload that produced a different result). */
  | { type: "config.changed" }
  /** A configuration source was refused; the last good value of that source stays in force. */
  | { type: "config.invalid"; issues: ConfigIssue[] }
  /** Documents opened in or closed by the editor. */
  | { type: "document.opened"; uri: string; languageId: string; version: number }
  | { type: "document.closed"; uri: string }
  /** Something the user should see (a window/showMessage in the LSP front). */
  | { type: "notice"; level: "error" | "warning" | "info"; message: string };

export type BusEventType = BusEvent["type"];
export type EventOf<T extends BusEventType> = Extract<BusEvent, { type: T }>;

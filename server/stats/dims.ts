// Where a count happens: the hour bucket, the region (from the configuration or the time zone —
// never from an IP address), the workspace (its folder name, hashed), provider and model.
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { label } from "./counts.ts";

/** The UTC hour bucket of a moment: "2026-03-01T09". */
export function hourOf(date: Date): string {
  return date.toISOString().slice(0, 13);
}

/** The segment when `telemetry.segment` is not set. */
export const DEFAULT_SEGMENT = "default";

/**
 * The region a time zone is in: the IANA area, lowercased ("Europe/Berlin" → "europe",
 * "America/Sao_Paulo" → "america"). Coarse on purpose: a continent, not a city. UTC and the Etc/
 * zones say nothing about where someone is: "unknown".
 */
export function regionFromTimeZone(timeZone: string | undefined = Intl.DateTimeFormat().resolvedOptions().timeZone): string {
  const area = timeZone?.split("/")[0] ?? "";
  if (!timeZone?.includes("/") || area === "Etc") return "unknown";
  return label(area);
}

/** A workspace as a short hash of its folder's name (the same repository matches across machines). */
export function workspaceHash(root: string): string {
  return createHash("sha256").update(basename(root)).digest("hex").slice(0, 12);
}

/** "anthropic/claude-sonnet-4-5" → provider and model labels. */
export function splitModel(model: string | undefined): { provider: string; model: string } {
  const at = model?.indexOf("/") ?? -1;
  if (!model || at < 0) return { provider: label(model ?? "unknown"), model: "unknown" };
  return { provider: label(model.slice(0, at)), model: label(model.slice(at + 1)) };
}

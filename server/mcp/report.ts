// MCP servers' reports as text, for `opencode-lsp mcp list` and doctor.
import type { McpServerReport } from "./types.ts";

/** One line per server: name, type, state (or why not), and what it offers. */
export function summaryLine(report: McpServerReport, width: number): string {
  const head = `${report.name.padEnd(width)}  ${report.type.padEnd(6)}`;
  if (report.state === "ready") {
    const offers = [`${report.tools.length} tools`, `${report.resources.length} resources`, `${report.prompts.length} prompts`].join(", ");
    return `${head}  ready (${report.transport}${report.pid ? `, pid ${report.pid}` : ""}) · ${offers}${report.restarts ? ` · ${report.restarts} restarts` : ""}`;
  }
  return `${head}  ${report.state}${report.error ? `: ${report.error}` : ""}`;
}

export function formatReports(reports: McpServerReport[], options: { details?: boolean } = {}): string {
  if (reports.length === 0) return 'No MCP servers configured (add them under "mcp" in opencode.json).';
  const width = Math.max(...reports.map((r) => r.name.length));
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(summaryLine(report, width));
    if (!options.details) continue;
    const indent = " ".repeat(width + 2);
    if (report.tools.length) lines.push(`${indent}tools: ${report.tools.map((t) => t.name).join(", ")}`);
    if (report.resources.length) lines.push(`${indent}resources: ${report.resources.map((r) => r.uri).join(", ")}`);
    if (report.prompts.length) lines.push(`${indent}prompts: ${report.prompts.map((p) => p.name).join(", ")}`);
  }
  return lines.join("\n");
}

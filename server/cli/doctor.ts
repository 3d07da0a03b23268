// `opencode-lsp doctor`: what the server would find when started in this directory.
import { existsSync } from "node:fs";
import { ConfigStore, formatIssue, loadConfigFiles, userConfigPath, workspaceConfigPath } from "../config/index.ts";
import { VERSION } from "../version.ts";

const SECRET_KEY = /(api[-_]?key|token|secret|password|authorization)$/i;

export interface DoctorReport {
  text: string;
  ok: boolean;
}

export async function doctor(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const store = new ConfigStore();
  const issues = loadConfigFiles(store, cwd, env);
  const lines = [`opencode-lsp ${VERSION} (node ${process.version})`, "", "Config files:"];
  for (const [label, path] of [["user", userConfigPath(env)], ["workspace", workspaceConfigPath(cwd)]] as const) {
    const state = !existsSync(path) ? "not found" : issues.some((i) => i.source === path) ? "INVALID" : "ok";
    lines.push(`  ${label.padEnd(10)} ${path}  (${state})`);
  }
  lines.push("", "Effective config (value  ← source):");
  const leaves = flatten(store.config as unknown as Record<string, unknown>);
  const width = Math.max(...leaves.map(([path]) => path.length));
  for (const [path, value] of leaves) {
    const shown = SECRET_KEY.test(path.split(".").at(-1) ?? "") ? '"[Redacted]"' : JSON.stringify(value);
    lines.push(`  ${path.padEnd(width)}  ${shown}  ← ${store.originOf(path)}`);
  }
  if (Object.keys(store.config.mcp).length > 0) {
    // Each MCP server started as a session would start it, to say whether it works.
    const [{ probeMcpServers }, { formatReports }] = await Promise.all([import("../mcp/cli.ts"), import("../mcp/report.ts")]);
    const reports = issues.length === 0 ? await probeMcpServers(cwd, () => undefined) : undefined;
    lines.push("", "MCP servers:");
    if (reports) lines.push(...formatReports(reports).split("\n").map((l) => `  ${l}`));
    else lines.push("  not started (fix the configuration first)");
  }
  if (issues.length > 0) {
    lines.push("", "Invalid configuration (these sources were not applied):");
    for (const issue of issues) lines.push(`  ${formatIssue(issue)}`);
  }
  return { text: lines.join("\n"), ok: issues.length === 0 };
}

function flatten(value: Record<string, unknown>, prefix = ""): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child && typeof child === "object" && !Array.isArray(child) && Object.keys(child).length > 0) {
      out.push(...flatten(child as Record<string, unknown>, path));
    } else {
      out.push([path, child]);
    }
  }
  return out;
}

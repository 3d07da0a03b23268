// The adapter: bus events that the user should see become editor calls.
import type { Connection } from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import { formatIssue } from "../config/index.ts";
import type { Logger } from "../log.ts";

export function adaptBusToEditor(bus: Bus, connection: Connection, log: Logger): void {
  const show = (level: "error" | "warning" | "info", message: string) => {
    const window = connection.window;
    const sent = level === "error" ? window.showErrorMessage(message) : level === "warning" ? window.showWarningMessage(message) : window.showInformationMessage(message);
    // A client that went away cannot be told; the log has it.
    Promise.resolve(sent).catch((error: unknown) => log.debug({ err: error }, "showMessage failed"));
  };
  bus.on("notice", (e) => show(e.level, e.message));
  bus.on("config.invalid", (e) => {
    for (const issue of e.issues) log.warn({ source: issue.source, path: issue.path }, `invalid config: ${issue.message}`);
    const lines = e.issues.map(formatIssue);
    show("error", `opencode-lsp: invalid configuration, keeping the last good value — ${lines.join("; ")}`);
  });
}

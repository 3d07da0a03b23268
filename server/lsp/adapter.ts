// The adapter: bus events that the user should see become editor calls.
import { MessageType, ShowMessageNotification, type Connection } from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import { formatIssue } from "../config/index.ts";
import type { Logger } from "../log.ts";

export function adaptBusToEditor(bus: Bus, connection: Connection, log: Logger): void {
  // A notification, not window/showMessageRequest: a notice must not block the editor on a prompt.
  const show = (level: "error" | "warning" | "info", message: string) => {
    const type = level === "error" ? MessageType.Error : level === "warning" ? MessageType.Warning : MessageType.Info;
    connection.sendNotification(ShowMessageNotification.type, { type, message }).catch((error: unknown) => {
      log.debug({ err: error }, "showMessage failed"); // a client that went away cannot be told; the log has it
    });
  };
  bus.on("notice", (e) => show(e.level, e.message));
  bus.on("config.invalid", (e) => {
    for (const issue of e.issues) log.warn({ source: issue.source, path: issue.path }, `invalid config: ${issue.message}`);
    const lines = e.issues.map(formatIssue);
    show("error", `opencode-lsp: invalid configuration, keeping the last good value — ${lines.join("; ")}`);
  });
}

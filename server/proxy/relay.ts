// What the proxied servers ask of the editor: answered here when we know better (their settings,
// the workspace folders, capabilities the editor lacks), relayed otherwise; their notifications
// relayed, diagnostics merged.
import type { Diagnostic, InitializeParams } from "vscode-languageserver-protocol";
import type { Logger } from "../log.ts";
import type { ProxiedServer } from "./child.ts";
import type { DiagnosticsMerger } from "./diagnostics.ts";
import type { EditorChannel, ProxyEvent } from "./types.ts";
import { isObject } from "./merge.ts";
import { configurationFor } from "./settings.ts";

export interface RelayOptions {
  initializeParams: InitializeParams;
  editor: EditorChannel;
  diagnostics: DiagnosticsMerger;
  emit(event: ProxyEvent): void;
  log: Logger;
}

export class Relay {
  private readonly options: RelayOptions;

  constructor(options: RelayOptions) {
    this.options = options;
  }

  async request(child: ProxiedServer, method: string, params: any): Promise<unknown> {
    const { initializeParams, editor } = this.options;
    const caps = initializeParams.capabilities;
    switch (method) {
      case "workspace/configuration":
        return configurationFor(child.entry.settings, Array.isArray(params?.items) ? params.items : []);
      case "workspace/workspaceFolders":
        return initializeParams.workspaceFolders ?? null;
      case "window/workDoneProgress/create":
        return caps.window?.workDoneProgress ? editor.request(method, params) : null;
      case "client/registerCapability":
      case "client/unregisterCapability":
        // Editors without dynamic registration cannot take these; the server still works.
        return this.supportsDynamicRegistration() ? editor.request(method, params) : null;
      default:
        return editor.request(method, params);
    }
  }

  private supportsDynamicRegistration(): boolean {
    const caps = this.options.initializeParams.capabilities as any;
    return Boolean(caps.workspace?.didChangeWatchedFiles?.dynamicRegistration || caps.textDocument?.synchronization?.dynamicRegistration);
  }

  notification(child: ProxiedServer, method: string, params: any): void {
    const { initializeParams, editor, log } = this.options;
    switch (method) {
      case "textDocument/publishDiagnostics": {
        if (!isObject(params) || typeof params.uri !== "string") return;
        const diagnostics = (Array.isArray(params.diagnostics) ? params.diagnostics : []) as Diagnostic[];
        const version = typeof params.version === "number" ? params.version : undefined;
        this.options.diagnostics.set(child.name, params.uri, diagnostics, version);
        this.options.emit({ type: "published", server: child.name, uri: params.uri, diagnostics, version });
        return;
      }
      case "$/progress":
        if (initializeParams.capabilities.window?.workDoneProgress) editor.notify(method, params);
        return;
      case "window/logMessage":
      case "window/showMessage":
      case "telemetry/event":
        editor.notify(method, params);
        return;
      default:
        log.debug({ proxy: child.name, method }, "notification from proxied server not relayed");
    }
  }
}

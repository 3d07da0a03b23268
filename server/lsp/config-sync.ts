// The two client-side configuration sources, and reloading: `initializationOptions` at
// initialize, the `opencode` section of `workspace/configuration` after `initialized` and on each
// `workspace/didChangeConfiguration` (which also re-reads the two files).
import { fileURLToPath } from "node:url";
import {
  DidChangeConfigurationNotification,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
} from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import { loadConfigFiles, type ConfigIssue, type ConfigStore } from "../config/index.ts";
import type { Logger } from "../log.ts";

export const CONFIG_SECTION = "opencode";

/** initializationOptions keys that are about the client, not configuration. */
const CLIENT_KEYS = ["capabilities"];

export class ConfigSync {
  private root: string | undefined;
  private capabilities: ClientCapabilities = {};
  private readonly connection: Connection;
  private readonly store: ConfigStore;
  private readonly bus: Bus;
  private readonly log: Logger;

  constructor(connection: Connection, store: ConfigStore, bus: Bus, log: Logger) {
    this.connection = connection;
    this.store = store;
    this.bus = bus;
    this.log = log;
    store.onChange(() => bus.publish({ type: "config.changed" }));
  }

  get workspaceRoot(): string | undefined {
    return this.root;
  }

  /** At initialize: the files of the workspace, then initializationOptions. */
  initialize(params: InitializeParams): void {
    this.capabilities = params.capabilities ?? {};
    this.root = workspaceRoot(params);
    const issues = loadConfigFiles(this.store, this.root);
    const options = params.initializationOptions;
    if (options !== undefined && options !== null) {
      const config = typeof options === "object" && !Array.isArray(options) ? withoutKeys(options as Record<string, unknown>, CLIENT_KEYS) : options;
      issues.push(...this.store.set("initializationOptions", "initializationOptions", config).issues);
    }
    this.report(issues);
  }

  /** After `initialized`: ask for change notifications and pull the client's section. */
  async initialized(): Promise<void> {
    if (this.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIG_SECTION }).catch((error: unknown) => {
        this.log.debug({ err: error }, "client refused didChangeConfiguration registration");
      });
    }
    await this.pull();
  }

  /** On `workspace/didChangeConfiguration`. */
  async changed(settings: unknown): Promise<void> {
    const issues = loadConfigFiles(this.store, this.root);
    this.report(issues);
    if (this.capabilities.workspace?.configuration) {
      await this.pull();
    } else if (settings && typeof settings === "object" && CONFIG_SECTION in settings) {
      // Clients without pull support push the settings in the notification.
      this.apply((settings as Record<string, unknown>)[CONFIG_SECTION]);
    }
  }

  private async pull(): Promise<void> {
    if (!this.capabilities.workspace?.configuration) return;
    try {
      const [section] = (await this.connection.workspace.getConfiguration([{ section: CONFIG_SECTION }])) as unknown[];
      this.apply(section);
    } catch (error) {
      this.log.warn({ err: error }, "workspace/configuration failed");
    }
  }

  private apply(section: unknown): void {
    // Editors answer null or {} for a section they have nothing for: that clears the source.
    const empty = section === null || section === undefined || (typeof section === "object" && Object.keys(section).length === 0);
    this.report(this.store.set("client", "workspace/configuration", empty ? undefined : section).issues);
  }

  private report(issues: ConfigIssue[]): void {
    if (issues.length > 0) this.bus.publish({ type: "config.invalid", issues });
  }
}

function workspaceRoot(params: InitializeParams): string | undefined {
  const uri = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  if (uri?.startsWith("file:")) return fileURLToPath(uri);
  return params.rootPath ?? undefined;
}

function withoutKeys(object: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...object };
  for (const key of keys) delete out[key];
  return out;
}

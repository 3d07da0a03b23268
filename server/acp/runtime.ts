// One workspace root as the ACP front serves it: its configuration (the user's file and the root's
// opencode.json, read again at each session/new), the model client, the session manager (each
// session's loop in a worker, as in the LSP front), the language servers its tools may start, and
// the client's buffers standing in for the disk when the client offers them.
import type { Bus } from "../bus/bus.ts";
import { ConfigStore, formatIssue, loadConfigFiles, type Config, type ConfigIssue } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { createModelClient, type ModelClient, type ModelEntry } from "../providers/index.ts";
import { createHeadlessProxies } from "../proxy/headless.ts";
import { ProxyIntel } from "../proxy/intel.ts";
import { SessionManager } from "../sessions/manager.ts";
import type { Telemetry } from "../privacy/index.ts";
import type { AskPermission, RunCommand } from "../tools/types.ts";
import type { ClientBuffers } from "./client-buffers.ts";

/** What the front decides per session. */
export interface SessionHooks {
  ask(sessionId: string): AskPermission;
  /** The configuration as the session's mode sees it. */
  config(sessionId: string, config: Config): Config;
  runCommand(sessionId: string): RunCommand | undefined;
}

export interface RuntimeOptions {
  root: string;
  bus: Bus;
  log: Logger;
  hooks: SessionHooks;
  buffers: ClientBuffers;
}

export class AcpRuntime {
  readonly root: string;
  readonly store = new ConfigStore();
  readonly client: ModelClient;
  readonly sessions: SessionManager;
  /** Problems in the configuration files at the last read. */
  issues: ConfigIssue[];
  private models: Promise<ModelEntry[]> | undefined;
  private readonly proxies: ReturnType<typeof createHeadlessProxies>;
  private readonly intel: ProxyIntel | undefined;
  /** Usage counters (telemetry.enabled only; loaded then): this root's sessions, as the LSP front counts them. */
  private readonly telemetry: Promise<Telemetry | undefined> = Promise.resolve(undefined);
  /** Resolves once what loads in the background (the usage counters) is up. */
  get ready(): Promise<unknown> {
    return this.telemetry;
  }

  constructor(options: RuntimeOptions) {
    const { root, bus, log, hooks } = options;
    this.root = root;
    this.issues = loadConfigFiles(this.store, root);
    const config = () => this.store.config;
    this.client = createModelClient({ config: config(), log });
    this.store.onChange((next) => {
      this.client.updateConfig(next);
      this.models = undefined;
    });
    this.proxies = createHeadlessProxies({ root, entries: config().proxy ?? {}, log, notice: (level, message) => log[level === "info" ? "info" : "warn"]({ root }, message) });
    const proxies = this.proxies;
    this.intel = proxies ? new ProxyIntel(() => proxies) : undefined;
    this.sessions = new SessionManager({
      root,
      bus,
      log,
      client: this.client,
      config,
      isolation: "worker",
      ask: (id) => hooks.ask(id),
      sessionConfig: (id, c) => hooks.config(id, c),
      runCommand: (id) => hooks.runCommand(id),
      ...(this.intel ? { intel: this.intel } : {}),
    });
    options.buffers.attach(this.sessions.workspace);
    const { telemetry: usage } = config();
    if (usage.enabled) {
      this.telemetry = import("../privacy/index.ts")
        .then((privacy) => privacy.createTelemetry({ ...usage, root, warn: (message) => log.warn(message) }))
        .then((t) => {
          t.observe(bus, (id) => this.sessions.get(id)?.model);
          return t;
        })
        .catch((error: unknown) => {
          log.warn({ err: error }, "telemetry could not start");
          return undefined;
        });
    }
    const restored = this.sessions.restore();
    if (restored > 0) log.info({ restored, root }, "restored sessions (retention local)");
  }

  get config(): Config {
    return this.store.config;
  }

  /** Reads the configuration files again (a change reaches the model client and the model list); what is wrong, if anything. */
  reload(): string | undefined {
    this.issues = loadConfigFiles(this.store, this.root);
    return this.issues.length > 0 ? `invalid configuration: ${this.issues.map(formatIssue).join("; ")}` : undefined;
  }

  /**
   * The catalogue with what is usable now, local servers probed once per configuration (a refused
   * connection answers at once; the timeout is for a host that does not answer at all).
   */
  usableModels(): Promise<ModelEntry[]> {
    this.models ??= this.client.listModels({ probe: true, probeTimeoutMs: 1500 }).catch(() => []);
    return this.models;
  }

  async dispose(): Promise<void> {
    await (await this.telemetry)?.close();
    this.sessions.dispose();
    this.intel?.dispose();
    await this.proxies?.shutdown();
  }
}

// The LSP front: one connection to one editor. It wires the library's lifecycle hooks, the
// dispatcher, documents, configuration and health; later layers register through the dispatcher.
import * as z from "zod/mini";
import {
  createConnection,
  ProposedFeatures,
  type InitializeParams,
  type InitializeResult,
  type MessageReader,
} from "vscode-languageserver/node";
import { Bus } from "../bus/bus.ts";
import { ConfigStore } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { HealthMonitor } from "../monitor/health.ts";
import { adaptBusToEditor } from "./adapter.ts";
import { AgentFront } from "./agent-front.ts";
import { serverCapabilities } from "./capabilities.ts";
import { InlineCompletion } from "./inline-completion.ts";
import { mergeCapabilities } from "../proxy/capabilities.ts";
import { ConfigSync } from "./config-sync.ts";
import { Dispatcher } from "./dispatcher.ts";
import { EditorDocuments } from "./documents.ts";
import { guardNotifications } from "./notifications.ts";
import { messageStrategy } from "./message-strategy.ts";
import { startProxies } from "./proxies.ts";
import type { FrameWriter } from "../rpc/frame-writer.ts";

export interface LspServerOptions {
  reader: MessageReader;
  writer: FrameWriter;
  log: Logger;
  version: string;
}

const noParams = z.union([z.null(), z.undefined(), z.looseObject({})]);

export function startLspServer(options: LspServerOptions): void {
  const { reader, writer, log, version } = options;
  let proxies: Awaited<ReturnType<typeof startProxies>> | undefined;
  // Messages flow once the connection listens (below), when `strategy` exists.
  const connection = createConnection(ProposedFeatures.all, guardNotifications(reader, log), writer, {
    messageStrategy: { handleMessage: (message, next) => strategy.handleMessage(message, next) },
  });
  const bus = new Bus((error, event) => log.error({ err: error, event: event.type }, "bus listener failed"));
  const dispatcher = new Dispatcher(connection, bus, log);
  const strategy = messageStrategy({ dispatcher, proxies: () => proxies, writer });
  const store = new ConfigStore();
  const configSync = new ConfigSync(connection, store, bus, log);
  const health = new HealthMonitor(bus, version);
  const documents = new EditorDocuments(connection, bus);
  adaptBusToEditor(bus, connection, log);

  let params: InitializeParams | undefined;
  dispatcher.onUnhandled((method, params, token) => proxies?.route(method, params, token));
  const agent = new AgentFront({
    connection,
    dispatcher,
    bus,
    log,
    documents,
    config: () => store.config,
    root: () => configSync.workspaceRoot,
    capabilities: () => params?.capabilities ?? {},
    clientFeatures: () => ((params?.initializationOptions as { capabilities?: object } | undefined)?.capabilities ?? {}) as { permissionRequests?: boolean; review?: boolean },
    // Ours merge with the proxied servers' diagnostics of the same document; alone, they are all there is.
    diagnostics: (source, uri, list) => (proxies ? proxies.diagnostics.set(source, uri, list) : void connection.sendDiagnostics({ uri, diagnostics: list }).catch(() => undefined)),
    proxies: () => proxies,
    proxied: (method, p, token) => proxies?.route(method, p, token),
  });

  health.addSection("documents", () => ({ open: documents.count }));
  new InlineCompletion({ connection, dispatcher, documents, config: () => store.config, client: () => agent.modelClient(), log, proxied: (method, p, token) => proxies?.route(method, p, token) });

  health.addSection("proxies", () => proxies?.health() ?? []);
  health.addSection("agent", () => agent.health());
  health.addSection("sync", () => agent.syncHealth());
  health.addSection("config", () => ({ model: store.config.model ?? null, workspaceRoot: configSync.workspaceRoot ?? null }));

  connection.onInitialize((raw, token): Promise<InitializeResult> =>
    dispatcher.timed("initialize", token, async () => {
      params = raw; // checked before the library saw it (message-strategy.ts)
      log.debug({ initializationOptions: params.initializationOptions, capabilities: params.capabilities }, "initialize params");
      configSync.initialize(params);
      auditFollowsConfig();
      proxies = await startProxies({ connection, writer, bus, log, documents, params, root: configSync.workspaceRoot, entries: store.config.proxy });
      dispatcher.state = "initialized";
      log.info({ client: params.clientInfo, root: configSync.workspaceRoot, proxies: proxies?.servers.map((s) => s.name) }, "initialized");
      const capabilities = mergeCapabilities({ ...serverCapabilities(), ...AgentFront.capabilities(), ...InlineCompletion.capabilities(store.config) }, proxies?.capabilities() ?? []);
      return { capabilities, serverInfo: { name: "opencode-lsp", version } };
    }),
  );
  // The audit log (off by default) follows the configuration; its module loads only when enabled.
  let auditLoaded = false;
  const auditFollowsConfig = () => {
    if (!store.config.audit.enabled && !auditLoaded) return;
    auditLoaded = true;
    void import("../privacy/index.ts").then((privacy) => privacy.configureAudit(store.config)).catch((error: unknown) => log.warn({ err: error }, "audit log could not start"));
  };
  bus.on("config.changed", auditFollowsConfig);

  connection.onInitialized(() => {
    configSync
      .initialized()
      .catch((error: unknown) => log.warn({ err: error }, "initial configuration pull failed"))
      .finally(() => agent.joinSharedSessions());
  });
  connection.onShutdown((token) =>
    dispatcher.timed("shutdown", token, async () => {
      dispatcher.state = "shutdown";
      await Promise.all([agent.dispose(), proxies?.shutdown()]);
      log.info("shutdown");
    }),
  );
  connection.onDidChangeConfiguration((params) => {
    configSync.changed(params?.settings).catch((error: unknown) => log.warn({ err: error }, "configuration reload failed"));
  });

  dispatcher.request("opencode/health", noParams, () => health.report());

  reader.onClose(() => {
    // The editor closed the stream without `exit`: leave the way `exit` would.
    log.info("input closed");
    process.exit(dispatcher.state === "shutdown" ? 0 : 1);
  });

  connection.listen();
}

// The agent behind the LSP front, loaded on first use (the providers, tools and Yjs are not needed
// to answer initialize, hover or code-action listing). It owns the model client and the session
// manager, keeps the workspace doc in step with the editor's documents, and sends the workspace's
// merged edits back as workspace/applyEdit.
import { relative } from "node:path";
import type { Connection, ClientCapabilities } from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { createModelClient, type ModelClient } from "../providers/index.ts";
import { ProxyIntel } from "../proxy/intel.ts";
import type { ProxyManager } from "../proxy/manager.ts";
import { SessionManager } from "../sessions/manager.ts";
import { wantsReview } from "../sessions/review-policy.ts";
import type { ApplyEdits } from "../sessions/editor-replica.ts";
import type { AskPermission } from "../tools/index.ts";
import type { Telemetry } from "../privacy/index.ts";
import type { EditorDocuments } from "./documents.ts";
import { FileBases } from "../sync/file-bases.ts";
import type { SyncRuntime } from "../sync/index.ts";

export interface AgentRuntimeOptions {
  connection: Connection;
  bus: Bus;
  log: Logger;
  root: string;
  config: () => Config;
  capabilities: ClientCapabilities;
  documents: EditorDocuments;
  ask: (sessionId: string) => AskPermission;
  /** The LSP front's proxied servers (the same ones the editor is fronted with). */
  proxies: () => ProxyManager | undefined;
  /** The editor shows pending changes (it announced `review`): config `review` unset means "ask". */
  editorShowsReview: boolean;
}

export interface AgentRuntime {
  client: ModelClient;
  sessions: SessionManager;
  /** Local usage counters, when `telemetry.enabled` (loaded lazily; undefined otherwise). */
  telemetry(): Telemetry | undefined;
  /** Sessions across machines, when `sync` is configured and joined. */
  sync(): SyncRuntime | undefined;
  /** Resolves once what loads in the background (telemetry, sync) is up. */
  ready: Promise<void>;
  /** Resolves once the MCP servers are stopped. */
  dispose(): Promise<void>;
}

export function createAgentRuntime(options: AgentRuntimeOptions): AgentRuntime {
  const { connection, bus, log, documents, capabilities } = options;
  const client = createModelClient({ config: options.config(), log });
  bus.on("config.changed", () => client.updateConfig(options.config()));
  // The agent's LSP tools and diagnostics after edits go through the same servers the editor is fronted with.
  const intel = Object.keys(options.config().proxy ?? {}).length > 0 ? new ProxyIntel(options.proxies) : undefined;
  const sessions = new SessionManager({ root: options.root, bus, log, client, config: options.config, ask: options.ask, isolation: "worker", ...(intel ? { intel } : {}) });
  const workspace = sessions.workspace;
  // With `sync`, the files' bases are recorded from the first file on; sync itself loads below.
  const syncConfig = options.config().sync;
  const bases = syncConfig ? new FileBases(workspace) : undefined;
  let sync: SyncRuntime | undefined;
  // Telemetry: off unless enabled; counts only (never prompt or code content), on 127.0.0.1.
  let telemetry: Telemetry | undefined;
  let ready = Promise.resolve();
  const telemetryConfig = options.config().telemetry;
  if (telemetryConfig.enabled) {
    ready = import("../privacy/index.ts")
      .then((privacy) => privacy.createTelemetry({ ...telemetryConfig, root: options.root, warn: (message) => log.warn(message) }))
      .then((t) => {
        telemetry = t;
        t.observe(bus, (id) => sessions.get(id)?.model);
      })
      .catch((error: unknown) => log.warn({ err: error }, "telemetry could not start"));
  }
  const restored = sessions.restore();
  if (restored > 0) log.info({ restored }, "restored sessions (retention local)");
  if (syncConfig && bases) {
    const started = import("../sync/index.ts")
      .then(({ startSync }) => startSync({ config: syncConfig, manager: sessions, bus, root: options.root, bases, log }))
      .then((s) => void (sync = s))
      .catch((error: unknown) => log.warn({ err: error }, "sync could not start"));
    ready = Promise.all([ready, started]).then(() => undefined);
  }

  workspace.setReviewPolicy((abs, _session, tool) => wantsReview(options.config().review, options.editorShowsReview, relative(options.root, abs), tool));
  const versioned = Boolean(capabilities.workspace?.workspaceEdit?.documentChanges);
  // Where the editor shows change annotations, each edit names what made it (the session, for an accepted review).
  const annotated = versioned && Boolean(capabilities.workspace?.workspaceEdit?.changeAnnotationSupport);
  if (capabilities.workspace?.applyEdit) {
    const applyEdits: ApplyEdits = async (files, label) => {
      const mark = <T extends object>(edits: T[]) => (annotated ? edits.map((e) => ({ ...e, annotationId: "opencode" })) : edits);
      const edit = versioned
        ? {
            documentChanges: files.map(({ uri, version, edits }) => ({ textDocument: { uri, version }, edits: mark(edits) })),
            ...(annotated ? { changeAnnotations: { opencode: { label, needsConfirmation: false } } } : {}),
          }
        : { changes: Object.fromEntries(files.map(({ uri, edits }) => [uri, edits])) };
      const result = await connection.workspace.applyEdit({ label, edit });
      return { applied: result.applied === true, ...(result.failureReason ? { failureReason: result.failureReason } : {}) };
    };
    workspace.setApplyEdit((uri, version, edits) => applyEdits([{ uri, version, edits }], "OpenCode"));
    workspace.setApplyEdits(applyEdits);
  } else {
    workspace.setApplyEdit(undefined);
    bus.publish({ type: "notice", level: "warning", message: "opencode-lsp: this editor cannot apply edits (no workspace/applyEdit); OpenCode writes its changes to disk instead — reload changed buffers." });
  }

  // The workspace follows the editor's documents from now on, starting with those already open.
  for (const doc of documents.all()) workspace.openInEditor(doc.uri, doc.languageId, doc.version, doc.text);
  documents.addListener({
    didOpen: (doc) => workspace.openInEditor(doc.uri, doc.languageId, doc.version, doc.text),
    didChange: (doc, changes) => workspace.changeInEditor(doc.uri, changes, doc.version),
    didClose: (uri) => void workspace.closeInEditor(uri).catch((error: unknown) => log.warn({ err: error, uri }, "close failed")),
    didSave: (uri) => workspace.savedInEditor(uri),
  });

  return {
    client,
    sessions,
    telemetry: () => telemetry,
    sync: () => sync,
    ready,
    dispose: () => {
      sync?.dispose();
      intel?.dispose();
      void telemetry?.close();
      return sessions.dispose();
    },
  };
}

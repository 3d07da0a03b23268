// `opencode-lsp run "PROMPT"`: one headless agent turn in the current directory. The answer goes
// to stdout, tool activity to stderr (or every step as JSON lines with --json). Exit codes: 0 the
// turn ended, 1 an error, 2 usage/config, 130 interrupted.
import { createInterface } from "node:readline/promises";
import { Bus } from "../bus/bus.ts";
import type { SessionUpdate } from "../bus/events.ts";
import { ConfigStore, formatIssue, loadConfigFiles } from "../config/index.ts";
import type { Logger } from "../log.ts";
import { LazyMcpHub } from "../mcp/index.ts";
import { createModelClient } from "../providers/index.ts";
import { createHeadlessProxies } from "../proxy/headless.ts";
import { ProxyIntel } from "../proxy/intel.ts";
import { SessionStore, type StoredSession } from "../sessions/retention.ts";
import { Session } from "../sessions/session.ts";
import { builtinTools, DiskWorkspaceFiles, ToolRegistry, type AskPermission } from "../tools/index.ts";
import { mcpTools } from "../tools/mcp-tools.ts";
import type { RunOptions } from "./args.ts";

export async function runHeadless(options: RunOptions, cwd: string, log: Logger): Promise<number> {
  const out = process.stdout;
  const err = process.stderr;
  const store = new ConfigStore();
  const issues = loadConfigFiles(store, cwd);
  if (issues.length > 0) {
    err.write(`opencode-lsp: invalid configuration: ${issues.map(formatIssue).join("; ")}\n`);
    return 2;
  }
  const config = store.config;
  if (config.audit.enabled) (await import("../privacy/index.ts")).configureAudit(config);
  // retention "local": the session is kept (encrypted) after the turn and can be continued.
  let stored: StoredSession | undefined;
  const sessions = config.retention === "local" ? new SessionStore() : undefined;
  if (options.session) {
    if (!sessions) {
      err.write('opencode-lsp: --session needs retention "local" in the config (sessions are not kept otherwise)\n');
      return 2;
    }
    stored = sessions.load(options.session);
    if (!stored) {
      err.write(`opencode-lsp: no kept session ${options.session}\n`);
      return 2;
    }
  }
  const client = createModelClient({ config, log });
  const model = options.model ?? stored?.model ?? config.model;
  if (!model) {
    err.write(`opencode-lsp: no model chosen. ${client.setupHint()}\n`);
    return 2;
  }
  const problem = client.checkModel(model);
  if (problem) {
    err.write(`opencode-lsp: ${problem}\n`);
    return 2;
  }

  const bus = new Bus((error) => log.error({ err: error }, "bus listener failed"));
  const files = new DiskWorkspaceFiles(cwd, config.policy.allowPaths ? { allowPaths: config.policy.allowPaths } : {});
  // The workspace's language servers, started only when a tool needs one; stopped before we exit.
  const proxies = createHeadlessProxies({ root: files.root, entries: config.proxy ?? {}, log, notice: (_level, message) => err.write(`${message}\n`) });
  const intel = proxies ? new ProxyIntel(() => proxies) : undefined;
  const tools = new ToolRegistry({ tools: builtinTools({ lsp: Boolean(intel) }), config: () => config, logger: log });
  const ask = permissionPrompt(options);
  // The configured MCP servers, started when the turn lists its tools; stopped before we exit.
  const mcp = new LazyMcpHub({ root: files.root, config: () => config, log, notice: (_level, message) => err.write(`${message}\n`) });
  const id = stored?.id ?? crypto.randomUUID();
  const session = new Session(
    { client, tools, files, bus, log, mcpTools: () => mcpTools(mcp.forSession(id)), ...(ask ? { ask } : {}), ...(intel ? { intel } : {}), contextWindow: (m) => client.contextWindow(m) },
    { model, title: stored?.title ?? options.prompt.slice(0, 60), id },
  );
  if (stored) session.seed(stored.messages, stored.updates);
  // Usage counters (telemetry.enabled only), fed from the bus and added to the store at the end; no endpoint.
  const { segment, region } = config.telemetry;
  const telemetry = config.telemetry.enabled ? await (await import("../privacy/index.ts")).createTelemetry({ enabled: true, segment, region, root: files.root, warn: (m) => log.warn(m) }) : undefined;
  telemetry?.observe(bus, () => session.model);
  if (!stored) bus.publish({ type: "session.created", sessionId: session.id });

  let endsWithNewline = true;
  bus.on("session.update", ({ update }) => {
    if (options.json) {
      out.write(`${JSON.stringify({ type: "update", update })}\n`);
      return;
    }
    if (update.kind === "message_chunk") {
      out.write(update.text);
      endsWithNewline = update.text.endsWith("\n");
    } else {
      const line = describe(update);
      if (line) err.write(`${line}\n`);
    }
  });

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    session.cancel();
  };
  process.on("SIGINT", onSigint);
  try {
    const result = await session.prompt(options.prompt);
    if (sessions) {
      sessions.save({ id: session.id, title: session.title, model: session.model, createdAt: (stored?.createdAt ?? session.createdAt.toISOString()), messages: session.messages, updates: session.updates });
      err.write(`session ${session.id} kept (continue with --session ${session.id})\n`);
    }
    if (options.json) out.write(`${JSON.stringify({ type: "result", ...result })}\n`);
    else if (!endsWithNewline) out.write("\n");
    if (result.stopReason === "error") err.write(`opencode-lsp: ${result.error}\n`);
    if (result.stopReason === "max_turns") err.write("opencode-lsp: stopped at the step limit for one turn\n");
    if (result.stopReason === "refusal") err.write("opencode-lsp: the model declined to answer\n");
    if (interrupted || result.stopReason === "cancelled") return 130;
    return result.stopReason === "error" ? 1 : 0;
  } finally {
    process.off("SIGINT", onSigint);
    await telemetry?.close();
    intel?.dispose();
    await Promise.all([proxies?.shutdown(), mcp.close()]);
  }
}

/** One stderr line per step that is not answer text. */
function describe(update: SessionUpdate): string | undefined {
  switch (update.kind) {
    case "tool_call":
      return `• ${update.title}`;
    case "tool_result": {
      const first = update.output.split("\n", 1)[0]?.slice(0, 120) ?? "";
      return update.status === "completed" ? `  ✓ ${first}` : `  ✗ ${first}`;
    }
    case "plan":
      return update.entries.map((e) => `  [${e.status === "completed" ? "x" : e.status === "in_progress" ? "~" : " "}] ${e.content}`).join("\n");
    default:
      return undefined;
  }
}

/**
 * `ask` in the headless mode: --yes allows; a terminal gets a question on stderr; anything else
 * (a pipe, CI) has no one to ask, so the call is refused and the model is told.
 */
function permissionPrompt(options: RunOptions): AskPermission | undefined {
  if (options.yes) return async () => "allow_once";
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (request, signal) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`Allow ${request.title}? [y]es / [a]lways / [N]o `, { signal });
      const word = answer.trim().toLowerCase();
      return word === "y" || word === "yes" ? "allow_once" : word === "a" || word === "always" ? "allow_always" : "reject";
    } catch {
      return "reject";
    } finally {
      rl.close();
    }
  };
}

#!/usr/bin/env node
// The opencode-lsp binary: argv → a mode. Each mode's code is imported only when it runs, so the
// language server starts without loading what `doctor` (or later, the agent) needs.
import { helpText } from "./cli/help.ts";
import { parseInvocation, UsageError, type GlobalOptions, type Invocation } from "./cli/args.ts";
import type { Logger } from "./log.ts";
import { hideSecretsFromProcEnviron } from "./sandbox/proc-environ.ts";

// Before anything runs: API keys out of /proc/<pid>/environ, where a command the agent runs could read them.
const hiddenSecrets = hideSecretsFromProcEnviron();

async function main(argv: string[]): Promise<number | undefined> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    throw error;
  }
  switch (invocation.kind) {
    case "help":
      process.stdout.write(`${helpText(invocation.command)}\n`);
      return 0;
    case "version": {
      const { VERSION } = await import("./version.ts");
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    case "doctor": {
      const { doctor } = await import("./cli/doctor.ts");
      const report = await doctor(invocation.cwd);
      process.stdout.write(`${report.text}\n`);
      return report.ok ? 0 : 2;
    }
    case "models": {
      const [{ ConfigStore, formatIssue, loadConfigFiles }, { listModels, formatModelsTable }] = await Promise.all([import("./config/index.ts"), import("./providers/index.ts")]);
      const store = new ConfigStore();
      const issues = loadConfigFiles(store, invocation.cwd);
      if (issues.length > 0) return usageError(`invalid configuration: ${issues.map(formatIssue).join("; ")}`);
      const entries = await listModels(store.config);
      process.stdout.write(invocation.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatModelsTable(entries)}\n`);
      return 0;
    }
    case "mcp-list": {
      const { mcpList } = await import("./mcp/cli.ts");
      return mcpList({ cwd: invocation.cwd, json: invocation.json, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    }
    case "passthrough": {
      if (invocation.command === "bench") return runBench(invocation.args, invocation.cwd);
      const [{ ConfigStore, loadConfigFiles }, privacy] = await Promise.all([import("./config/index.ts"), import("./privacy/index.ts")]);
      const store = new ConfigStore();
      loadConfigFiles(store, invocation.cwd);
      const config = store.config;
      const io = { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t), cwd: invocation.cwd };
      if (invocation.command === "trust") return privacy.trustCommand(invocation.args, { ...io, trustedKeys: config.offline.trustedKeys });
      if (invocation.command === "audit") return privacy.auditCommand(invocation.args, { ...io, ...(config.audit.file ? { file: config.audit.file } : {}) });
      return (await import("./stats/command.ts")).statsCommand(invocation.args, { ...io, enabled: config.telemetry.enabled });
    }
    case "share-view": {
      const { shareViewCommand } = await import("./share/index.ts");
      const io = { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t), stdin: process.stdin, color: Boolean(process.stdout.isTTY) };
      return shareViewCommand(invocation.url, io);
    }
    case "share-serve": {
      const { serveViewer } = await import("./share/index.ts");
      const server = await serveViewer({ ...(invocation.port !== undefined ? { port: invocation.port } : {}) });
      process.stderr.write(`opencode-lsp share viewer on ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()).once("SIGTERM", () => resolve()));
      await server.close();
      return 0;
    }
    case "sync-serve": {
      const { syncServe } = await import("./sync/cli.ts");
      const { kind: _kind, options: _options, ...serve } = invocation;
      return syncServe(serve);
    }
    case "run": {
      const log = await logger({ logLevel: invocation.options.logLevel ?? process.env.OPENCODE_LSP_LOG_LEVEL ?? "warn", logFile: invocation.options.logFile });
      if (!log) return 2;
      const { runHeadless } = await loadBundle<typeof import("./cli/run.ts")>("./run/run.js", "./cli/run.ts");
      return runHeadless(invocation.run, invocation.cwd, log);
    }
    case "acp": {
      const log = await logger(invocation.options);
      if (!log) return 2;
      keepStdoutForFrames(log);
      guardProcess(log);
      const [{ serveAcp }, { VERSION }] = await Promise.all([loadBundle<typeof import("./acp/main.ts")>("./acp.js", "./acp/main.ts"), import("./version.ts")]);
      // The client closed stdin: nothing left to serve (keep-alive sockets must not hold the process).
      process.exit(await serveAcp({ log, version: VERSION }));
    }
    case "lsp": {
      const log = await logger(invocation.options);
      if (!log) return 2;
      if (invocation.transport.kind === "stdio") keepStdoutForFrames(log);
      guardProcess(log);
      const [{ openChannel }, { startLspServer }, { VERSION }] = await Promise.all([
        import("./lsp/transport/connect.ts"),
        import("./lsp/server.ts"),
        import("./version.ts"),
      ]);
      const channel = await openChannel(invocation.transport, log);
      startLspServer({ ...channel, log, version: VERSION });
      return undefined; // runs until exit
    }
  }
}

/**
 * `run` and `acp` are bundled on their own (dist/run/run.js, dist/acp.js): the agent, its tools and
 * the ACP SDK stay out of the bundle the language server starts from. From the sources (tests), the
 * module itself.
 */
function loadBundle<T>(bundle: string, source: string): Promise<T> {
  const bundled = !import.meta.url.endsWith(".ts");
  return import(new URL(bundled ? bundle : source, import.meta.url).href);
}

/**
 * `bench` is bundled on its own (dist/bench/bench.js), like `run`: nothing of it reaches the server's
 * start-up chunks. Ctrl-C cancels the requests in flight; --apply asks on the terminal.
 */
async function runBench(args: string[], cwd: string): Promise<number> {
  const bundled = !import.meta.url.endsWith(".ts");
  const { benchCommand } = (await import(new URL(bundled ? "./bench/bench.js" : "./bench/command.ts", import.meta.url).href)) as typeof import("./bench/command.ts");
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once("SIGINT", onSigint);
  const confirm = async (question: string) => {
    const { createInterface } = await import("node:readline/promises");
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
  try {
    return await benchCommand(args, { stdout: (t) => process.stdout.write(t), stderr: process.stderr, cwd, env: process.env, signal: interrupt.signal, ...(process.stdin.isTTY ? { confirm } : {}) });
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function usageError(message: string): number {
  process.stderr.write(`opencode-lsp: ${message} (see opencode-lsp --help)\n`);
  return 2;
}

async function logger(options: GlobalOptions): Promise<Logger | undefined> {
  const { createLogger } = await import("./log.ts");
  // Session workers log to the same place, at the same level.
  if (options.logFile) process.env.OPENCODE_LSP_LOG = options.logFile;
  if (options.logLevel) process.env.OPENCODE_LSP_LOG_LEVEL = options.logLevel;
  try {
    const log = createLogger({ level: options.logLevel, file: options.logFile });
    log.debug(hiddenSecrets, "secret variables hidden from /proc/<pid>/environ");
    return log;
  } catch (error) {
    usageError((error as Error).message);
    return undefined;
  }
}

/** In stdio mode stdout carries protocol messages only (LSP frames, ACP lines): whatever a dependency prints goes to the log. */
function keepStdoutForFrames(log: Logger): void {
  const toLog = (level: "info" | "warn" | "debug") => (...args: unknown[]) => log[level]({ console: true }, args.map(String).join(" "));
  console.log = toLog("info");
  console.info = toLog("info");
  console.debug = toLog("debug");
  console.warn = toLog("warn");
  console.error = toLog("warn");
}

/** A fault in one request must not take the editor's server down. */
function guardProcess(log: Logger): void {
  process.on("uncaughtException", (error) => log.error({ err: error }, "uncaught exception"));
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled rejection"));
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`opencode-lsp: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);

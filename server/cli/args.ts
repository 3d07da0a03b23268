// argv → what to run. The first positional argument picks the command; each command has its own
// flags, parsed by node:util's parseArgs (strict: an unknown flag is an error).
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Transport } from "../lsp/transport/connect.ts";

export class UsageError extends Error {}

export const COMMANDS = ["lsp", "acp", "doctor", "run", "models", "share", "sync", "trust", "audit", "stats", "mcp", "bench"] as const;

/** Commands that parse their own arguments (privacy/: trust, audit, stats; bench/: bench). */
export const PASSTHROUGH = ["trust", "audit", "stats", "bench"] as const;
export type PassthroughCommand = (typeof PASSTHROUGH)[number];
export type Command = (typeof COMMANDS)[number];

export interface GlobalOptions {
  logFile?: string;
  logLevel?: string;
}

export interface RunOptions {
  prompt: string;
  model?: string;
  /** Continue a session kept with retention "local". */
  session?: string;
  yes: boolean;
  json: boolean;
}

export type Invocation =
  | { kind: "help"; command?: Command }
  | { kind: "version" }
  | { kind: "lsp"; transport: Transport; options: GlobalOptions }
  | { kind: "acp"; options: GlobalOptions }
  | { kind: "doctor"; options: GlobalOptions; cwd: string }
  | { kind: "run"; options: GlobalOptions; run: RunOptions; cwd: string }
  | { kind: "models"; options: GlobalOptions; json: boolean; cwd: string }
  | { kind: "mcp-list"; options: GlobalOptions; json: boolean; cwd: string }
  | { kind: "share-view"; options: GlobalOptions; url: string }
  | { kind: "share-serve"; options: GlobalOptions; port?: number }
  | { kind: "sync-serve"; options: GlobalOptions; port?: number; host?: string; redis?: string; persist?: string }
  | { kind: "passthrough"; command: PassthroughCommand; args: string[]; cwd: string };

type Options = NonNullable<ParseArgsConfig["options"]>;

const GLOBAL: Options = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  "log-file": { type: "string" },
  "log-level": { type: "string" },
};

const PER_COMMAND: Record<Command, Options> = {
  lsp: {
    stdio: { type: "boolean" },
    socket: { type: "string" },
    pipe: { type: "string" },
    // Passed by some clients (VS Code); the language server library watches that process.
    clientProcessId: { type: "string" },
  },
  acp: {},
  doctor: {},
  models: { json: { type: "boolean" } },
  mcp: { json: { type: "boolean" } },
  share: { port: { type: "string", short: "p" } },
  sync: { port: { type: "string", short: "p" }, host: { type: "string" }, redis: { type: "string" }, persist: { type: "string" } },
  trust: {},
  audit: {},
  stats: {},
  bench: {},
  run: {
    model: { type: "string", short: "m" },
    session: { type: "string" },
    yes: { type: "boolean", short: "y" },
    json: { type: "boolean" },
  },
};

export function parseInvocation(argv: string[], cwd = process.cwd()): Invocation {
  // A lenient first pass finds the command, so flags may stand before it (`--log-level trace run ...`).
  const allOptions = Object.assign({}, GLOBAL, ...Object.values(PER_COMMAND)) as Options;
  const name = parseArgs({ args: argv, allowPositionals: true, strict: false, options: allOptions }).positionals[0];
  const named = name !== undefined && (COMMANDS as readonly string[]).includes(name) ? (name as Command) : undefined;
  const command = named ?? "lsp";
  if (named && (PASSTHROUGH as readonly string[]).includes(named)) {
    return { kind: "passthrough", command: named as PassthroughCommand, args: argv.slice(argv.indexOf(named) + 1), cwd };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...GLOBAL, ...PER_COMMAND[command] } });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify.*$/s, ""));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = named ? parsed.positionals.slice(1) : parsed.positionals;
  if (values.help) return { kind: "help", command: named };
  if (values.version) return { kind: "version" };
  if (!named && positionals.length > 0) throw new UsageError(`unknown command "${positionals[0]}"`);
  const options: GlobalOptions = { logFile: values["log-file"] as string | undefined, logLevel: values["log-level"] as string | undefined };

  switch (command) {
    case "acp":
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" for acp`);
      return { kind: "acp", options };
    case "doctor":
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" for doctor`);
      return { kind: "doctor", options, cwd };
    case "models":
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" for models`);
      return { kind: "models", options, json: Boolean(values.json), cwd };
    case "mcp": {
      const [sub, extra] = positionals;
      if (sub !== "list") throw new UsageError(sub ? `unknown mcp command "${sub}" (list)` : "mcp needs a command: opencode-lsp mcp list");
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" for mcp list`);
      return { kind: "mcp-list", options, json: Boolean(values.json), cwd };
    }
    case "share": {
      const [sub, url, extra] = positionals;
      if (sub === "view") {
        if (!url) throw new UsageError("share view needs a link: opencode-lsp share view URL");
        if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" for share view`);
        return { kind: "share-view", options, url };
      }
      if (sub === "serve") {
        if (url !== undefined) throw new UsageError(`unexpected argument "${url}" for share serve`);
        const port = portOf(values.port);
        return { kind: "share-serve", options, ...(port !== undefined ? { port } : {}) };
      }
      throw new UsageError(sub ? `unknown share command "${sub}" (view or serve)` : "share needs view URL or serve");
    }
    case "sync": {
      const [sub, extra] = positionals;
      if (sub !== "serve") throw new UsageError(sub ? `unknown sync command "${sub}" (serve)` : "sync needs serve: opencode-lsp sync serve [--port N]");
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" for sync serve`);
      const port = portOf(values.port);
      const text = (name: string) => {
        const value = values[name];
        if (value === "") throw new UsageError(`--${name} needs a value`);
        return typeof value === "string" ? { [name]: value } : {};
      };
      if (typeof values.redis === "string" && !/^redis:\/\/\S+$/.test(values.redis)) throw new UsageError(`--redis takes a redis:// URL, got "${values.redis}"`);
      return { kind: "sync-serve", options, ...(port !== undefined ? { port } : {}), ...text("host"), ...text("redis"), ...text("persist") };
    }
    case "run": {
      const prompt = positionals.join(" ").trim();
      if (!prompt) throw new UsageError('run needs a prompt: opencode-lsp run "what to do"');
      return {
        kind: "run",
        options,
        cwd,
        run: { prompt, model: values.model as string | undefined, session: values.session as string | undefined, yes: Boolean(values.yes), json: Boolean(values.json) },
      };
    }
    default:
      return { kind: "lsp", transport: transportOf(values as { stdio?: boolean; socket?: string; pipe?: string }), options };
  }
}

function portOf(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || value === "") throw new UsageError(`--port takes a port number, got "${value}"`);
  return port;
}

function transportOf(values: { stdio?: boolean; socket?: string; pipe?: string }): Transport {
  const chosen = [values.stdio && "--stdio", values.socket !== undefined && "--socket", values.pipe !== undefined && "--pipe"].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`choose one transport, not ${chosen.join(" and ")}`);
  if (values.socket !== undefined) {
    const port = Number(values.socket);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--socket takes a port number, got "${values.socket}"`);
    return { kind: "socket", port };
  }
  if (values.pipe !== undefined) {
    if (!values.pipe) throw new UsageError("--pipe takes a pipe name");
    return { kind: "pipe", name: values.pipe };
  }
  return { kind: "stdio" };
}

// argv → what to run. The first positional argument picks the command; each command has its own
// flags, parsed by node:util's parseArgs (strict: an unknown flag is an error).
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Transport } from "../lsp/transport/connect.ts";

export class UsageError extends Error {}

export const COMMANDS = ["lsp", "doctor", "run", "models", "share", "trust", "audit", "stats", "bench"] as const;

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
  | { kind: "doctor"; options: GlobalOptions; cwd: string }
  | { kind: "run"; options: GlobalOptions; run: RunOptions; cwd: string }
  | { kind: "models"; options: GlobalOptions; json: boolean; cwd: string }
  | { kind: "share-view"; options: GlobalOptions; url: string }
  | { kind: "share-serve"; options: GlobalOptions; port?: number }
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
  doctor: {},
  models: { json: { type: "boolean" } },
  share: { port: { type: "string", short: "p" } },
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
    case "doctor":
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" for doctor`);
      return { kind: "doctor", options, cwd };
    case "models":
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" for models`);
      return { kind: "models", options, json: Boolean(values.json), cwd };
    case "share": {
      const [sub, url, extra] = positionals;
      if (sub === "view") {
        if (!url) throw new UsageError("share view needs a link: opencode-lsp share view URL");
        if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" for share view`);
        return { kind: "share-view", options, url };
      }
      if (sub === "serve") {
        if (url !== undefined) throw new UsageError(`unexpected argument "${url}" for share serve`);
        const port = values.port === undefined ? undefined : Number(values.port);
        if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port takes a port number, got "${values.port}"`);
        return { kind: "share-serve", options, ...(port !== undefined ? { port } : {}) };
      }
      throw new UsageError(sub ? `unknown share command "${sub}" (view or serve)` : "share needs view URL or serve");
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

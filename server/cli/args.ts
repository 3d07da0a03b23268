// argv → what to run. Flags are parsed by node:util's parseArgs (strict: an unknown flag is an
// error); the first positional argument picks the command.
import { parseArgs } from "node:util";
import type { Transport } from "../lsp/transport/connect.ts";

export class UsageError extends Error {}

export const COMMANDS = ["lsp", "doctor"] as const;
export type Command = (typeof COMMANDS)[number];

export interface GlobalOptions {
  logFile?: string;
  logLevel?: string;
}

export type Invocation =
  | { kind: "help"; command?: Command }
  | { kind: "version" }
  | { kind: "lsp"; transport: Transport; options: GlobalOptions }
  | { kind: "doctor"; options: GlobalOptions; cwd: string };

export function parseInvocation(argv: string[], cwd = process.cwd()): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        stdio: { type: "boolean" },
        socket: { type: "string" },
        pipe: { type: "string" },
        "log-file": { type: "string" },
        "log-level": { type: "string" },
        // Passed by some clients (VS Code); the language server library watches that process.
        clientProcessId: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify.*$/s, ""));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (name !== undefined && !(COMMANDS as readonly string[]).includes(name)) {
    throw new UsageError(`unknown command "${name}"`);
  }
  const command = (name ?? "lsp") as Command;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" for ${command}`);
  if (values.help) return { kind: "help", command: name === undefined ? undefined : command };
  if (values.version) return { kind: "version" };
  const options: GlobalOptions = { logFile: values["log-file"], logLevel: values["log-level"] };

  if (command === "doctor") return { kind: "doctor", options, cwd };
  return { kind: "lsp", transport: transportOf(values), options };
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

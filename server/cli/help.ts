import type { Command } from "./args.ts";

const GLOBAL = `Options:
  --log-file FILE     write logs to FILE (default: stderr; env OPENCODE_LSP_LOG)
  --log-level LEVEL   fatal|error|warn|info|debug|trace|silent (default info; env OPENCODE_LSP_LOG_LEVEL)
  -h, --help          show help (also: opencode-lsp COMMAND --help)
  -v, --version       print the version`;

const HELP: Record<Exclude<Command, "trust" | "audit" | "stats" | "bench"> | "main", string> = {
  main: `opencode-lsp — the OpenCode coding agent as a language server

Usage:
  opencode-lsp [--stdio]          LSP server on stdin/stdout (the default)
  opencode-lsp --socket=PORT      LSP server listening on 127.0.0.1:PORT (one client)
  opencode-lsp --pipe=NAME        LSP server listening on a named pipe / Unix socket (one client)
  opencode-lsp doctor             show the effective configuration and where each value came from
  opencode-lsp run "PROMPT"       one headless agent turn in this directory (see run --help)
  opencode-lsp models [--json]    the provider/model catalogue, and which providers are usable now
  opencode-lsp share view URL     print a shared transcript (checked before anything is shown)
  opencode-lsp share serve        serve the read-only viewer on 127.0.0.1 (--port, default 7878)
  opencode-lsp trust ...          signing keys and signed model folders for offline mode (trust --help)
  opencode-lsp audit verify       check the audit log's hash chain
  opencode-lsp stats [--json]     the local usage counters (when telemetry is enabled)
  opencode-lsp bench [--models A,B] [--tasks N]
                                  benchmark models on tasks cut from this repository; recommend one (bench --help)

${GLOBAL}`,
  lsp: `Usage: opencode-lsp [--stdio | --socket=PORT | --pipe=NAME]

Runs the language server. Editors start it with --stdio (the default). With --socket or --pipe it
listens, prints "opencode-lsp listening on ..." to stderr, and serves the first client to connect.

${GLOBAL}`,
  doctor: `Usage: opencode-lsp doctor

Prints the configuration files it finds, the effective configuration with the source of every value,
and any invalid values. Exits 2 when a configuration source is invalid.

${GLOBAL}`,
  models: `Usage: opencode-lsp models [--json]

Lists every provider/model of the catalogue and of your configuration, with context window, maximum
output, tool support, price per million tokens, and whether it is usable now: an API key found for
cloud providers, the server answering for local ones (Ollama, LM Studio, llama.cpp, vLLM).

${GLOBAL}`,
  share: `Usage: opencode-lsp share view URL
       opencode-lsp share serve [--port PORT]

A share link carries the transcript in its URL fragment (#v1.<payload>.<signature>): compressed,
redacted, signed with this installation's key. No server stores it.
  view URL     verify the link and print the transcript
  serve        serve the static viewer page on 127.0.0.1 (default port 7878); links whose base URL
               points there open in any browser, offline

${GLOBAL}`,
  run: `Usage: opencode-lsp run [--model PROVIDER/MODEL] [--yes] [--json] "PROMPT"

Runs one agent turn in the current directory: the answer streams to stdout, tool activity to stderr.
Edits are written to disk.

Options:
  -m, --model M       the model, e.g. anthropic/claude-sonnet-4-5 (default: \`model\` in the config)
  --session ID        continue a session kept with retention "local" (each run prints its id)
  -y, --yes           allow every tool call that would ask (without it, and without a terminal, they are refused)
  --json              print every step as a JSON line on stdout instead

Exit codes: 0 the turn ended, 1 an error, 2 bad usage or config, 130 interrupted (Ctrl-C cancels cleanly).

${GLOBAL}`,
};

export function helpText(command?: Command): string {
  return HELP[(command as keyof typeof HELP | undefined) ?? "main"] ?? HELP.main;
}

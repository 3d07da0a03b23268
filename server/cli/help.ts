import { DEFAULT_SHARE_PORT, DEFAULT_STATS_PORT, DEFAULT_SYNC_PORT } from "../config/ports.ts";
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
  opencode-lsp acp                the agent over the Agent Client Protocol on stdio (Zed, JetBrains, ...)
  opencode-lsp doctor             show the effective configuration and where each value came from
  opencode-lsp run "PROMPT"       one headless agent turn in this directory (see run --help)
  opencode-lsp models [--json]    the provider/model catalogue, and which providers are usable now
  opencode-lsp mcp list [--json]  the configured MCP servers: started, with their tools, or why not
  opencode-lsp share view URL     print a shared transcript (checked before anything is shown)
  opencode-lsp share serve        serve the read-only viewer on 127.0.0.1 (--port, default ${DEFAULT_SHARE_PORT})
  opencode-lsp sync serve         a sync server for a team's shared sessions (see sync --help)
  opencode-lsp trust ...          signing keys and signed model folders for offline mode (trust --help)
  opencode-lsp audit verify       check the audit log's hash chain
  opencode-lsp stats [--json]     the local usage counters (when telemetry is enabled; stats --help)
  opencode-lsp stats --serve      the usage dashboard on 127.0.0.1 (--port, default ${DEFAULT_STATS_PORT}); --erase removes the counters
  opencode-lsp bench [--models A,B] [--tasks N]
                                  benchmark models on tasks cut from this repository; recommend one (bench --help)

${GLOBAL}`,
  lsp: `Usage: opencode-lsp [--stdio | --socket=PORT | --pipe=NAME]

Runs the language server. Editors start it with --stdio (the default). With --socket or --pipe it
listens, prints "opencode-lsp listening on ..." to stderr, and serves the first client to connect.

${GLOBAL}`,
  acp: `Usage: opencode-lsp acp

Speaks the Agent Client Protocol (ACP, version 1) on stdin/stdout, for agent panels: Zed
(agent_servers), JetBrains AI Assistant (acp.json), CodeCompanion and avante.nvim in Neovim,
agent-shell in Emacs. The same agent as the language server: sessions, tools, permissions and
opencode.json (read from each session's cwd). File reads and writes go through the client's
buffers and bash through its terminal when the client offers them; permission prompts are
session/request_permission. Modes: ask, auto-edit, plan (read-only).

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
  mcp: `Usage: opencode-lsp mcp list [--json]

Starts every MCP server configured under "mcp" (opencode.json, the user config) in this directory,
as a session would, and lists each one's state with its tools, resources and prompts, or why it is
unavailable (exited, timed out, refused by offline mode, disabled). The servers are stopped after.

${GLOBAL}`,
  share: `Usage: opencode-lsp share view URL
       opencode-lsp share serve [--port PORT]

A share link carries the transcript in its URL fragment (#v1.<payload>.<signature>): compressed,
redacted, signed with this installation's key. No server stores it.
  view URL     verify the link and print the transcript (URL "-": read the link from stdin)
  serve        serve the static viewer page on 127.0.0.1 (default port ${DEFAULT_SHARE_PORT}); links whose base URL
               points there open in any browser, offline

${GLOBAL}`,
  sync: `Usage: opencode-lsp sync serve [--port PORT] [--host HOST] [--redis URL] [--persist FILE]

Serves a team's shared sessions (Hocuspocus, WebSocket): editors whose configuration has
"sync": { "url": "ws://HOST:PORT", "tokenEnv": "..." } share their sessions, transcripts and the
files the sessions touch, live, and merge offline work when they reconnect.
  --port PORT      default ${DEFAULT_SYNC_PORT}
  --host HOST      listen on HOST (default 127.0.0.1: only this machine)
  --redis URL      redis://host:port: several servers share the documents through one Redis
  --persist FILE   keep documents in SQLite at FILE, encrypted (AES-256-GCM, key in a 0600 file in the
                   XDG config dir); without it nothing is kept once the last client leaves
The team token comes from OPENCODE_LSP_SYNC_TOKEN; without it one is made up and printed.

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

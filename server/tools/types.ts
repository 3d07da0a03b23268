// The tool interface the agent loop calls. A tool has a name, a description, a zod schema for its
// input (from which the JSON Schema shown to the model is derived), an optional statement of the
// permissions it needs for a given input, and `run`.
import type { z } from "zod";
import type { Logger } from "../log.ts";
import type { LanguageIntel } from "../proxy/intel.ts";
import type { RunResult } from "../sandbox/process.ts";
import type { WorkspaceFiles } from "./workspace-files.ts";

export type ToolStatus = "completed" | "failed";

export interface ToolResult {
  status: ToolStatus;
  output: string;
  metadata?: Record<string, unknown>;
}

/** The permission groups of the `permissions` config. */
export type PermissionKind = "read" | "edit" | "bash" | "webfetch" | "mcp";
export type PermissionWord = "allow" | "ask" | "deny";
export type PermissionOutcome = "allow_once" | "allow_always" | "reject";

/** What a tool needs permission for, for one call. */
export interface PermissionNeed {
  kind: PermissionKind;
  /** For bash the command; for read/edit the workspace-relative path; for webfetch the URL; for mcp the tool's name. */
  subject: string;
  /** Absolute real path, for path-based needs (the .env rule looks at it). */
  realPath?: string;
}

/** What the front is asked (SPEC: opencode/session/requestPermission). */
export interface PermissionRequest {
  tool: string;
  input: unknown;
  title: string;
  kind: PermissionKind | "doom_loop";
  /** The subjects asked about, e.g. the command segments for bash. */
  patterns: string[];
  reason?: string;
}

export type AskPermission = (request: PermissionRequest, signal: AbortSignal) => Promise<PermissionOutcome>;

/** A command line for a front that runs commands itself (ACP's client terminals) instead of the sandbox. */
export interface CommandRequest {
  command: string;
  /** Absolute, inside the workspace. */
  cwd: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** The tool call running it, so the front can show the command's output with the call. */
  callId?: string;
}

export type CommandOutcome = Omit<RunResult, "pid">;

/** Runs a bash command line somewhere else than the sandbox; `signal` cancels it. */
export type RunCommand = (request: CommandRequest, signal: AbortSignal) => Promise<CommandOutcome>;

export interface TodoItem {
  id: string;
  content: string;
  status: "pending" | "in_progress" | "completed" | "cancelled";
  priority?: "high" | "medium" | "low";
}

/** Per-session state the tools and the registry keep: the plan, remembered permissions, call history. */
export class ToolSession {
  readonly id: string;
  todos: TodoItem[] = [];
  /** "kind\0subject" granted with allow_always. */
  readonly granted = new Set<string>();
  /** Signatures of the most recent calls, newest last (a few kept). */
  readonly recentCalls: string[] = [];
  /** Workspace-relative paths this session wrote, oldest first (the diagnostics tool's default). */
  readonly touched = new Set<string>();

  constructor(id = "default") {
    this.id = id;
  }
}

export interface ToolContext {
  /** Workspace root, absolute. */
  root: string;
  signal: AbortSignal;
  /** Asks the user; absent means non-interactive, where `ask` is a rejection. */
  ask?: AskPermission;
  /** All file access goes through here. */
  files: WorkspaceFiles;
  session: ToolSession;
  logger?: Logger;
  /** The id the agent loop gave this call, for logs. */
  callId?: string;
  /** The proxied language servers (diagnostics, definition, hover…); absent when none is configured. */
  intel?: LanguageIntel;
  /** Where bash runs its commands when the front runs them itself (else the sandbox). */
  runCommand?: RunCommand;
}

export type { LanguageIntel, DiagnosticsReport } from "../proxy/intel.ts";

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: S;
  /** Which permissions this call needs; none means it runs unasked. */
  permissions?(input: z.infer<S>, ctx: ToolContext): Promise<PermissionNeed[]> | PermissionNeed[];
  /** Needs the network: refused when policy.offline is on. */
  network?: boolean;
  /** The JSON Schema shown to the model, when it is not derived from `schema` (an MCP server's own). */
  inputJsonSchema?: Record<string, unknown>;
  /** The group a `policy.denyTools` entry may name for it ("mcp"); built-ins' groups are policy's. */
  group?: string;
  /** A short human title for the call (shown in permission prompts and tool_call events). */
  title?(input: z.infer<S>): string;
  run(input: z.infer<S>, ctx: ToolContext): Promise<ToolResult>;
}

/** Keeps the input type of a tool's schema flowing into its methods. */
export function defineTool<S extends z.ZodType>(tool: Tool<S>): Tool<S> {
  return tool;
}

/** What a tool needs permission for to read or edit one path (confined first). */
export async function pathNeed(ctx: ToolContext, path: string, kind: "read" | "edit"): Promise<PermissionNeed[]> {
  const target = await ctx.files.resolve(path);
  return [{ kind, subject: target.rel, realPath: target.real }];
}

export function ok(output: string, metadata?: Record<string, unknown>): ToolResult {
  return metadata ? { status: "completed", output, metadata } : { status: "completed", output };
}

export function fail(output: string, metadata?: Record<string, unknown>): ToolResult {
  return metadata ? { status: "failed", output, metadata } : { status: "failed", output };
}

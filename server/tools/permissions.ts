// Evaluates the `permissions` config for one tool call: allow / ask / deny per permission group
// (edit covers write, edit and multiedit), bash per command pattern when `permissions.bash` is a map
// (most specific matching pattern wins), MCP tools per tool-name pattern when `permissions.mcp` is, `.env`-like files denied unless explicitly allowed, and a
// doom-loop guard (the same call three times in a row asks). `ask` goes to the front's callback;
// allow_always is remembered in the session.
import { basename } from "node:path";
import { audit } from "../privacy/audit.ts";
import { parseCommandLine } from "./shell-command.ts";
import type { Config } from "../config/schema.ts";
import {
  fail,
  type PermissionKind,
  type PermissionNeed,
  type PermissionRequest,
  type PermissionWord,
  type ToolContext,
  type ToolResult,
  type ToolSession,
} from "./types.ts";

export type PermissionsConfig = Omit<Config["permissions"], "mcp"> & {
  /** MCP tools; "ask" unless set. */
  mcp?: Config["permissions"]["mcp"];
  /** Reading/editing `.env`-like files: "deny" unless set. (Not in the config schema yet.) */
  env?: PermissionWord;
};

export const DEFAULT_PERMISSIONS: PermissionsConfig = { edit: "ask", bash: "ask", read: "allow", webfetch: "ask", mcp: "ask" };

const RANK: Record<PermissionWord, number> = { allow: 0, ask: 1, deny: 2 };

export function strictest(a: PermissionWord, b: PermissionWord): PermissionWord {
  return RANK[a] >= RANK[b] ? a : b;
}

// ---------------------------------------------------------------------------------------------
// .env files

const ENV_TEMPLATE_SUFFIXES = new Set(["example", "sample", "template", "dist", "defaults"]);

/**
 * `.env`, `.env.local`, `.env.production`, `.envrc` (direnv's exports), ... but not `.env.example`
 * (or .sample/.template). Case-insensitive: on macOS and Windows `.ENV` opens `.env`.
 */
export function isEnvFile(path: string): boolean {
  const name = basename(path).toLowerCase();
  if (name === ".env" || name === ".envrc") return true;
  if (!name.startsWith(".env.")) return false;
  const suffix = name.slice(".env.".length).toLowerCase();
  return !ENV_TEMPLATE_SUFFIXES.has(suffix);
}

// ---------------------------------------------------------------------------------------------
// git's internals

/** A path in (or being) a `.git` directory: its hooks and config run code, so no tool writes there. */
export function isGitInternal(path: string): boolean {
  return path.split(/[\\/]/).some((segment) => segment.toLowerCase() === ".git");
}

// ---------------------------------------------------------------------------------------------
// bash patterns

/** `*` matches any run of characters, `?` one; a trailing " *" also matches the bare command. */
export function matchPattern(pattern: string, text: string): boolean {
  return compile(pattern).test(text.trim());
}

const compiled = new Map<string, RegExp>();
function compile(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  const p = pattern.trim();
  let source = "";
  const optionalTail = p.endsWith(" *");
  const body = optionalTail ? p.slice(0, -2) : p;
  for (const ch of body) {
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  if (optionalTail) source += "(?:\\s[\\s\\S]*)?";
  re = new RegExp(`^${source}$`);
  compiled.set(pattern, re);
  return re;
}

/** Literal characters count; wildcards do not. Longer literal prefix = more specific. */
export function specificity(pattern: string): number {
  return pattern.replace(/[*?]/g, "").trim().length;
}

/**
 * A command line against the bash rules: each simple command it runs is judged on its own (so
 * `git status && rm -rf x` is judged by its worst part), and what no pattern can see — command
 * substitution, output redirected into a file — is at least `ask`.
 */
export function evaluateBashCommand(rule: PermissionsConfig["bash"], command: string): PermissionWord {
  if (typeof rule === "string") return rule;
  const { commands, hazards } = parseCommandLine(command);
  if (commands.length === 0) commands.push(command.trim());
  let word: PermissionWord = "allow";
  for (const segment of commands) word = strictest(word, evaluateSegment(rule, segment));
  if (hazards.length > 0) word = strictest(word, "ask");
  return word;
}

/** The word of the most specific pattern matching `segment` (a command, an MCP tool's name); "ask" if none. */
function evaluateSegment(rule: Record<string, PermissionWord>, segment: string): PermissionWord {
  let best: { word: PermissionWord; score: number } | undefined;
  for (const [pattern, word] of Object.entries(rule)) {
    if (!matchPattern(pattern, segment)) continue;
    const score = pattern.trim() === segment ? Number.MAX_SAFE_INTEGER : specificity(pattern);
    // Equal specificity: the stricter word wins.
    if (!best || score > best.score || (score === best.score && RANK[word] > RANK[best.word])) best = { word, score };
  }
  return best?.word ?? "ask";
}

/** What the user is asked about: the commands, then what the patterns could not judge. */
function describeCommandLine(command: string): string {
  const { commands, hazards } = parseCommandLine(command);
  const text = commands.join(" ; ") || command.trim();
  return hazards.length > 0 ? `${text} [${hazards.join("; ")}]` : text;
}

// ---------------------------------------------------------------------------------------------
// the gate

interface Check {
  word: PermissionWord;
  /** Key remembered on allow_always. */
  grantKey: string;
  subject: string;
  kind: PermissionKind;
  env: boolean;
  /** A write into `.git/`: refused whatever the config says. */
  git?: boolean;
}

function checksFor(config: PermissionsConfig, need: PermissionNeed): Check[] {
  if (need.kind === "bash") {
    const subject = typeof config.bash === "string" ? need.subject : describeCommandLine(need.subject);
    const word = evaluateBashCommand(config.bash, need.subject);
    // The whole command is asked about once; allow_always remembers the exact command.
    return [{ word, grantKey: `bash\0${need.subject.trim()}`, subject, kind: "bash", env: false }];
  }
  if (need.kind === "mcp") {
    const rule = config.mcp ?? "ask";
    const word = typeof rule === "string" ? rule : evaluateSegment(rule, need.subject);
    return [{ word, grantKey: `mcp\0${need.subject}`, subject: need.subject, kind: "mcp", env: false }];
  }
  const word = config[need.kind];
  const checks: Check[] = [{ word, grantKey: `${need.kind}\0*`, subject: need.subject, kind: need.kind, env: false }];
  if ((need.kind === "read" || need.kind === "edit") && (isEnvFile(need.subject) || (need.realPath && isEnvFile(need.realPath)))) {
    checks.push({ word: config.env ?? "deny", grantKey: `env\0${need.subject}`, subject: need.subject, kind: need.kind, env: true });
  }
  if (need.kind === "edit" && (isGitInternal(need.subject) || (need.realPath && isGitInternal(need.realPath)))) {
    checks.push({ word: "deny", grantKey: "", subject: need.subject, kind: "edit", env: false, git: true });
  }
  return checks;
}

export interface GateInput {
  tool: string;
  input: unknown;
  title: string;
  needs: PermissionNeed[];
}

/** null when the call may run; otherwise the failed result the model sees. */
export async function checkPermissions(config: PermissionsConfig, call: GateInput, ctx: ToolContext): Promise<ToolResult | null> {
  const checks = call.needs.flatMap((need) => checksFor(config, need));
  const denied = checks.find((c) => c.word === "deny");
  if (denied) {
    if (denied.git) {
      return fail(`Refused: ${denied.subject} is inside .git/, whose hooks and config run code; tools never write there. Use git commands (bash) to change the repository.`, {
        permission: "deny",
        kind: "edit",
      });
    }
    if (denied.env) {
      return fail(
        `Permission denied: ${denied.subject} looks like an environment file holding secrets; reading it is denied by default (set permissions.env to "allow" or "ask" to permit it).`,
        { permission: "deny", kind: denied.kind },
      );
    }
    return fail(`Permission denied by configuration: ${call.tool} (${denied.kind}) on ${JSON.stringify(denied.subject)} is set to "deny". Do not retry this; choose another approach.`, {
      permission: "deny",
      kind: denied.kind,
    });
  }
  const pending = checks.filter((c) => c.word === "ask" && !ctx.session.granted.has(c.grantKey));
  if (pending.length === 0) return null;
  const first = pending[0]!;
  const request: PermissionRequest = {
    tool: call.tool,
    input: call.input,
    title: call.title,
    kind: first.kind,
    patterns: [...new Set(pending.map((c) => c.subject))],
    ...(pending.some((c) => c.env) ? { reason: "environment file" } : {}),
  };
  return await askUser(request, pending.map((c) => c.grantKey), ctx);
}

/** Asks the front; remembers allow_always; turns a rejection (or no front) into a failed result. */
export async function askUser(request: PermissionRequest, grantKeys: string[], ctx: ToolContext): Promise<ToolResult | null> {
  if (!ctx.ask) {
    return fail(`Permission required for ${request.tool} (${request.title}), but no one can be asked (non-interactive); the call was not run.`, {
      permission: "reject",
    });
  }
  let outcome;
  const about = { tool: request.tool, kind: request.kind, subjects: request.patterns, session: ctx.session.id };
  audit({ event: "permission.asked", ...about });
  try {
    outcome = await ctx.ask(request, ctx.signal);
    audit({ event: "permission.answered", ...about, outcome });
  } catch (error) {
    audit({ event: "permission.answered", ...about, outcome: "failed" });
    return fail(`Permission request for ${request.tool} failed: ${(error as Error).message}; the call was not run.`, { permission: "reject" });
  }
  if (outcome === "allow_always") {
    for (const key of grantKeys) ctx.session.granted.add(key);
    return null;
  }
  if (outcome === "allow_once") return null;
  return fail(`The user rejected this ${request.tool} call (${request.title}). Do not retry it as is; ask the user or choose another approach.`, {
    permission: "reject",
  });
}

// ---------------------------------------------------------------------------------------------
// doom loop

export const DOOM_LOOP_THRESHOLD = 3;

/** A stable signature of a call: tool name and input with sorted keys. */
export function callSignature(tool: string, input: unknown): string {
  return `${tool}\0${stableJson(input)}`;
}

function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** Records the call; true when it is the THRESHOLD-th identical call in a row. */
export function recordCall(session: ToolSession, signature: string): boolean {
  session.recentCalls.push(signature);
  if (session.recentCalls.length > DOOM_LOOP_THRESHOLD) session.recentCalls.shift();
  return session.recentCalls.length === DOOM_LOOP_THRESHOLD && session.recentCalls.every((s) => s === signature);
}

export async function checkDoomLoop(tool: string, input: unknown, title: string, ctx: ToolContext): Promise<ToolResult | null> {
  const signature = callSignature(tool, input);
  if (!recordCall(ctx.session, signature)) return null;
  const grantKey = `doom\0${signature}`;
  if (ctx.session.granted.has(grantKey)) return null;
  const result = await askUser(
    {
      tool,
      input,
      title: `${title} — the same call for the ${DOOM_LOOP_THRESHOLD}rd time in a row`,
      kind: "doom_loop",
      patterns: [tool],
      reason: "doom loop",
    },
    [grantKey],
    ctx,
  );
  if (result) {
    result.output = `Stopped: ${tool} was called ${DOOM_LOOP_THRESHOLD} times in a row with the same input. ${result.output} Try something different.`;
  }
  return result;
}

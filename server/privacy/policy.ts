// The `policy` config, checked in one place: which hosts a request may go to (offline mode), which
// providers may be used, which tools may run, which paths outside the workspace may be touched.
// Every function here is pure and cheap (it sits on the request path of providers and tools); a
// caller that refuses something also records it with `auditPolicyDenial`.
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Config } from "../config/schema.ts";
import { audit } from "./audit.ts";

export type Policy = Partial<Config["policy"]>;

/** A refusal by policy: a clear message, and the rule that refused. */
export class PolicyDenied extends Error {
  override name = "PolicyDenied";
  readonly rule: "offline" | "allowProviders" | "denyTools" | "allowPaths";
  constructor(rule: PolicyDenied["rule"], message: string) {
    super(message);
    this.rule = rule;
  }
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Loopback only: `localhost`, 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z). Takes a URL's `hostname`
 * (IPv6 in brackets or not). No name resolution happens here: any other name is not local, even one
 * that resolves to 127.0.0.1, since what it resolves to can change between the check and the connect.
 */
export function isLoopbackHost(hostname: string): boolean {
  let host = hostname.trim().toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host === "localhost") return true;
  const v4 = IPV4.exec(host);
  if (v4) return Number(v4[1]) === 127 && v4.slice(1).every((p) => Number(p) <= 255);
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  // IPv4-mapped loopback: the URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const mapped = /^::ffff:(?:(\d{1,3}(?:\.\d{1,3}){3})|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(host);
  if (mapped) {
    if (mapped[1]) return isLoopbackHost(mapped[1]);
    return (parseInt(mapped[2]!, 16) >> 8) === 127;
  }
  return false;
}

/** Whether a URL points at a loopback host (an unparsable URL is not local). */
export function isLoopbackURL(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The host part of a URL for messages and the audit log (never its path, query or credentials). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/** Offline mode: why a request to `url` is refused, or undefined when it may go. */
export function checkRequestURL(url: string, policy: Policy | undefined): PolicyDenied | undefined {
  if (!policy?.offline) return undefined;
  if (isLoopbackURL(url)) return undefined;
  return new PolicyDenied("offline", `offline mode (policy.offline) refuses a request to ${hostOf(url)}: only loopback hosts (localhost, 127.0.0.0/8, ::1) may be contacted`);
}

/** policy.allowProviders: why `provider` may not be used, or undefined. */
export function checkProvider(provider: string, policy: Policy | undefined): PolicyDenied | undefined {
  const allow = policy?.allowProviders;
  if (!allow || allow.includes(provider)) return undefined;
  return new PolicyDenied("allowProviders", `provider "${provider}" is not allowed by policy (policy.allowProviders: ${allow.join(", ") || "none"})`);
}

/** Tools that share a permission group with another name (denying "edit" denies write and multiedit too). */
const TOOL_GROUP: Record<string, string> = { write: "edit", multiedit: "edit" };

/**
 * policy.denyTools: why `tool` may not run, or undefined. An entry names a tool, its group ("edit";
 * "mcp" for every MCP tool), or ends in `*` to deny every tool whose name starts with the rest
 * ("github_*": one MCP server's tools).
 */
export function checkTool(tool: string, policy: Policy | undefined, group: string | undefined = TOOL_GROUP[tool]): PolicyDenied | undefined {
  const deny = policy?.denyTools ?? [];
  if (deny.length === 0) return undefined;
  const denied = deny.some((entry) => entry === tool || entry === group || (entry.endsWith("*") && tool.startsWith(entry.slice(0, -1))));
  if (!denied) return undefined;
  return new PolicyDenied("denyTools", `the tool "${tool}" is disabled by policy (policy.denyTools)`);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * policy.allowPaths: a path is allowed inside the workspace `root` or inside one of allowPaths
 * (relative entries resolve against root). Lexical check; symlinks are the path guard's job (tools/paths.ts).
 */
export function checkPath(path: string, root: string, policy: Policy | undefined): PolicyDenied | undefined {
  const abs = resolve(root, path);
  if (inside(resolve(root), abs)) return undefined;
  if ((policy?.allowPaths ?? []).some((p) => inside(resolve(root, p), abs))) return undefined;
  return new PolicyDenied("allowPaths", `path ${abs} is outside the workspace and not under policy.allowPaths`);
}

/** Records a denial in the audit log (a no-op when no audit log is open). */
export function auditPolicyDenial(denial: PolicyDenied, subject: Record<string, string | number | boolean | undefined> = {}): void {
  audit({ event: "policy.denied", rule: denial.rule, reason: denial.message, ...subject });
}

// Answers of several proxied servers made into one: completion lists joined, code actions and
// symbols concatenated, the first non-null answer otherwise. Items that a resolve request may
// bring back carry the name of the server that made them in their `data`.
import { ErrorCodes, ResponseError, type CancellationToken } from "vscode-jsonrpc/node";
import type { Logger } from "../log.ts";
import type { ProxiedServer } from "./child.ts";

export const TAG = "$opencodeProxy";

export interface Tagged {
  [TAG]: string;
  data?: unknown;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Marks an item (in place: it was just parsed from the server's answer) with the server that made it. */
export function tag<T>(item: T, server: string): T {
  if (!isObject(item)) return item;
  (item as Record<string, unknown>).data = { [TAG]: server, data: item.data } satisfies Tagged;
  return item;
}

export async function mergeCompletion(servers: ProxiedServer[], params: unknown, token: CancellationToken, log: Logger): Promise<unknown> {
  const answers = await settled(servers, (s) => s.request("textDocument/completion", params, token), log);
  // One server: its answer as it is (lists run to thousands of items; a resolve finds the only server).
  if (servers.length === 1) return answers[0]?.[1] ?? null;
  let isIncomplete = false;
  const items: unknown[] = [];
  for (const [server, answer] of answers) {
    if (!answer) continue;
    const list = Array.isArray(answer) ? { items: answer, isIncomplete: false } : (answer as { items?: unknown; isIncomplete?: unknown });
    if (!Array.isArray(list.items)) continue;
    isIncomplete ||= list.isIncomplete === true;
    for (const item of list.items) items.push(tag(item, server.name));
  }
  return { isIncomplete, items };
}

export async function mergeLists(servers: ProxiedServer[], method: string, params: unknown, token: CancellationToken, tagItems: boolean, log: Logger): Promise<unknown[] | null> {
  const answers = await settled(servers, (s) => s.request(method, params, token), log);
  const merged: unknown[] = [];
  for (const [server, answer] of answers) {
    if (!Array.isArray(answer)) continue;
    for (const item of answer) merged.push(tagItems && isObject(item) && !("command" in item && typeof item.command === "string") ? tag(item, server.name) : item);
  }
  return answers.length === 0 ? null : merged;
}

/**
 * The first answer that is not null, in the order given (config order): it waits for the servers
 * before that one only. Null if all answer null or went away; an error the servers answered only
 * if all failed.
 */
export async function firstNonNull(requests: Promise<unknown>[]): Promise<unknown> {
  const outcomes = requests.map((p) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })));
  let failures = 0;
  let firstError: unknown;
  for (const outcome of outcomes) {
    const r = await outcome;
    if (r.ok && r.value !== null && r.value !== undefined) return r.value;
    if (!r.ok && answered(r.error)) {
      failures++;
      firstError ??= r.error;
    }
  }
  if (failures === outcomes.length) throw firstError;
  return null;
}

/** Every server's answer; a failing server is logged and left out (unless all answered errors). */
export async function settled(servers: ProxiedServer[], call: (s: ProxiedServer) => Promise<unknown>, log: Logger): Promise<[ProxiedServer, unknown][]> {
  const results = await Promise.allSettled(servers.map(call));
  const out: [ProxiedServer, unknown][] = [];
  let answeredErrors = 0;
  results.forEach((r, i) => {
    if (r.status === "fulfilled") out.push([servers[i]!, r.value]);
    else {
      if (answered(r.reason)) answeredErrors++;
      log.debug({ proxy: servers[i]!.name, err: r.reason }, "proxied request failed");
    }
  });
  if (results.length > 0 && answeredErrors === results.length) throw (results[0] as PromiseRejectedResult).reason;
  return out;
}

/**
 * An error the server answered (its code and message go to the editor: a cancelled request must
 * say so), not a server that crashed or stopped meanwhile (then it has nothing to say: null).
 */
function answered(error: unknown): boolean {
  return error instanceof ResponseError && !(error.code >= ErrorCodes.MessageWriteError && error.code <= ErrorCodes.ConnectionInactive);
}

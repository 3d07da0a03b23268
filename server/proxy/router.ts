// Which proxied servers answer a request, and how their answers become one. `owner` is the fast
// question — is there exactly one server whose answer is the answer? (then it can be passed through
// as bytes) — answered from a table of the servers able to take each method, rebuilt only when a
// server's state changes. `route` is the general path: merge, first non-null, resolve, command.
import type { CancellationToken } from "vscode-jsonrpc/node";
import type { Logger } from "../log.ts";
import { CAPABILITY_OF, hasCapability } from "./capabilities.ts";
import type { ProxiedServer } from "./child.ts";
import { firstNonNull, isObject, mergeCompletion, mergeLists, tag, TAG, type Tagged } from "./merge.ts";

/** Resolve requests: the item's `data` carries the name of the server that made it. */
const RESOLVE_METHODS = new Set(["completionItem/resolve", "codeAction/resolve", "codeLens/resolve", "documentLink/resolve", "inlayHint/resolve"]);
/** Answers that are merged (or go where a command is listed): never one server's bytes. */
const MERGED = new Set(["textDocument/codeAction", "workspace/symbol", "workspace/executeCommand"]);

const neverCancelled: CancellationToken = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) };

export class Router {
  private readonly servers: ProxiedServer[];
  private readonly log: Logger;
  /** Method → the servers (running or restarting, config order) with its capability; known methods only. */
  private readonly able = new Map<string, ProxiedServer[]>();

  constructor(servers: ProxiedServer[], log: Logger) {
    this.servers = servers;
    this.log = log;
  }

  /** A server started, stopped or changed its capabilities. */
  invalidate(): void {
    this.able.clear();
  }

  private running(): ProxiedServer[] {
    return this.servers.filter((s) => s.state === "running" || s.state === "restarting");
  }

  private ableFor(method: string): ProxiedServer[] {
    const known = this.able.get(method);
    if (known) return known;
    const list = this.running().filter((s) => hasCapability(s.capabilities, method));
    // Methods of the protocol only: an editor's made-up method names must not grow the table.
    if (method in CAPABILITY_OF) this.able.set(method, list);
    return list;
  }

  private candidates(method: string, uri: unknown): ProxiedServer[] {
    const able = this.ableFor(method);
    return typeof uri === "string" ? able.filter((s) => s.isOpen(uri)) : uri === undefined ? able : [];
  }

  /** The one server whose answer is the whole answer to this request, if there is one. */
  owner(method: string, params: any): ProxiedServer | undefined {
    if (MERGED.has(method)) return undefined;
    if (RESOLVE_METHODS.has(method)) {
      const data = isObject(params) && isObject(params.data) ? params.data : undefined;
      if (data && (TAG in data || "opencode" in data)) return undefined; // tagged or ours: the general path
      const able = this.ableFor(method);
      return able.length === 1 ? able[0] : undefined;
    }
    const candidates = this.candidates(method, isObject(params) && isObject(params.textDocument) ? params.textDocument.uri : undefined);
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  /**
   * Answers a request from the editor through the servers, or undefined when no server is meant
   * for it (the caller then answers MethodNotFound).
   */
  route(method: string, params: any, token: CancellationToken): Promise<unknown> | undefined {
    if (RESOLVE_METHODS.has(method)) return this.resolve(method, params, token);
    if (method === "workspace/executeCommand") {
      const server = this.running().find((s) => (s.capabilities.executeCommandProvider?.commands ?? []).includes(params?.command));
      return server?.request(method, params, token);
    }
    const uri: unknown = params?.textDocument?.uri;
    const candidates = this.candidates(method, uri);
    if (candidates.length === 0) {
      // A capability we advertised (through some server) but no server has this document: nothing to say.
      return uri !== undefined || method.startsWith("workspace/") ? Promise.resolve(null) : undefined;
    }
    switch (method) {
      case "textDocument/completion":
        return mergeCompletion(candidates, params, token, this.log);
      case "textDocument/codeAction":
        return mergeLists(candidates, method, params, token, true, this.log);
      case "workspace/symbol":
        return mergeLists(candidates, method, params, token, false, this.log);
      default:
        return firstNonNull(candidates.map((s) => s.request(method, params, token)));
    }
  }

  /**
   * A request on the agent's behalf, to the running servers meant for `languageId` (all running
   * servers when undefined) that have the capability (and the document open, for a document
   * request). workspace/symbol answers are concatenated; otherwise the first non-null answer.
   * Undefined when no server can answer it.
   */
  agentRequest(method: string, params: any, languageId: string | undefined, token?: CancellationToken): Promise<unknown> | undefined {
    const candidates = this.candidates(method, params?.textDocument?.uri).filter((s) => languageId === undefined || s.handles(languageId));
    if (candidates.length === 0) return undefined;
    const cancel = token ?? neverCancelled;
    if (method === "workspace/symbol") return mergeLists(candidates, method, params, cancel, false, this.log);
    return firstNonNull(candidates.map((s) => s.request(method, params, cancel)));
  }

  private async resolve(method: string, params: any, token: CancellationToken): Promise<unknown> {
    const data = params?.data as (Tagged & { opencode?: unknown }) | undefined;
    if (data?.opencode !== undefined) return params; // one of ours
    const tagged = this.running().find((s) => s.name === data?.[TAG]);
    if (tagged) {
      const result = await tagged.request(method, { ...params, data: data?.data }, token);
      return isObject(result) ? tag(result, tagged.name) : result;
    }
    // Untagged: it came from the only server that makes such items (answers of one server are not tagged).
    const able = this.ableFor(method);
    if (able.length !== 1) return params;
    return able[0]!.request(method, params, token);
  }
}

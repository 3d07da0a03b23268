// A session's MCP access across the worker boundary: the session's loop runs in a worker, the MCP
// servers live in the main thread (one hub per server process, so their children are owned and
// killed in one place). Calls cross as plain objects; an abort in the worker becomes a `cancel`,
// which aborts the main side's request (the SDK then tells the server: notifications/cancelled).
import type { McpCallResult, McpSessionAccess, McpToolList } from "./types.ts";

/** The RPC method name both sides use. */
export const MCP_METHOD = "mcp";

export type McpRpcCall =
  | { op: "tools" }
  | { op: "call"; id: number; server: string; tool: string; args: Record<string, unknown> }
  | { op: "cancel"; id: number };

/** The main thread's side: answers one worker's calls with its session's access. */
export function answerMcp(access: McpSessionAccess): (call: McpRpcCall) => Promise<unknown> {
  const running = new Map<number, AbortController>();
  return async (call) => {
    switch (call.op) {
      case "tools":
        return access.tools();
      case "call": {
        const controller = new AbortController();
        running.set(call.id, controller);
        try {
          return await access.call(call.server, call.tool, call.args, controller.signal);
        } finally {
          running.delete(call.id);
        }
      }
      case "cancel":
        running.get(call.id)?.abort();
        return null;
    }
  };
}

/** The worker's side. */
export class RemoteMcp implements McpSessionAccess {
  private nextId = 1;
  private readonly send: (call: McpRpcCall) => Promise<unknown>;

  constructor(send: (call: McpRpcCall) => Promise<unknown>) {
    this.send = send;
  }

  tools(): Promise<McpToolList> {
    return this.send({ op: "tools" }) as Promise<McpToolList>;
  }

  async call(server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult> {
    const id = this.nextId++;
    const onAbort = () => void this.send({ op: "cancel", id }).catch(() => undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return (await this.send({ op: "call", id, server, tool, args })) as McpCallResult;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

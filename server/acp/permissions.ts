// Every "ask" of the permission system as a `session/request_permission` to the client, about the
// tool call that is running: allow once, always allow (remembered by the permission system), reject,
// or always reject (remembered here, for the session: the same kind of call is refused unasked).
import type * as acp from "@agentclientprotocol/sdk";
import { methods } from "@agentclientprotocol/sdk";
import type { Logger } from "../log.ts";
import type { AskPermission, PermissionRequest } from "../tools/types.ts";
import type { RunningCall } from "./session-updates.ts";
import { diffs, toolKind } from "./tool-calls.ts";

const OPTIONS: acp.PermissionOption[] = [
  { optionId: "allow_once", name: "Allow once", kind: "allow_once" },
  { optionId: "allow_always", name: "Always allow", kind: "allow_always" },
  { optionId: "reject_once", name: "Reject", kind: "reject_once" },
  { optionId: "reject_always", name: "Always reject", kind: "reject_always" },
];

/** What "always reject" covers: this exact command for bash, else the whole kind (every edit...). */
function refusalKey(request: PermissionRequest): string {
  const command = (request.input as { command?: unknown } | undefined)?.command;
  return request.kind === "bash" && typeof command === "string" ? `bash\0${command.trim()}` : request.kind;
}

export interface PermissionDeps {
  client: () => acp.AgentContext;
  /** The workspace root (diff paths are absolute). */
  root: string;
  sessionId: string;
  /** The call asking (the tool_call the client was shown). */
  running: () => RunningCall | undefined;
  /** Refusals answered "always reject" in this session. */
  refused: () => Set<string> | undefined;
  log: Logger;
}

export function askThroughClient(deps: PermissionDeps): AskPermission {
  return async (request, signal) => {
    if (signal.aborted || deps.refused()?.has(refusalKey(request))) return "reject";
    const call = deps.running();
    // An edit is reviewed here, before it runs: the client shows its diff with the question.
    const content = diffs(request.tool, (request.input ?? {}) as Record<string, unknown>, deps.root);
    const toolCall: acp.ToolCallUpdate = {
      toolCallId: call?.id ?? `permission-${Date.now()}`,
      title: request.title,
      kind: toolKind(request.tool),
      status: "pending",
      rawInput: request.input,
      ...(content.length > 0 ? { content } : {}),
    };
    let response: acp.RequestPermissionResponse;
    try {
      response = await deps.client().request(methods.client.session.requestPermission, { sessionId: deps.sessionId, toolCall, options: OPTIONS }, { cancellationSignal: signal, stopWaitingOnCancel: true });
    } catch (error) {
      deps.log.warn({ err: error, session: deps.sessionId }, "session/request_permission failed");
      return "reject";
    }
    const picked = response.outcome.outcome === "selected" ? response.outcome.optionId : "cancelled";
    if (picked === "allow_once" || picked === "allow_always") return picked;
    if (picked === "reject_always") deps.refused()?.add(refusalKey(request));
    return "reject";
  };
}

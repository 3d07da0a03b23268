// One session's updates as ACP `session/update`s: the bus's SessionUpdate in, zero or more ACP
// updates out. It keeps what the translation needs between updates: the running tool call (for the
// permission request and the terminal that belong to it), and the tokens and cost for usage_update.
import type * as acp from "@agentclientprotocol/sdk";
import type { SessionUpdate } from "../bus/events.ts";
import { planEntries, toolCallEnded, toolCallStarted } from "./tool-calls.ts";

export interface RunningCall {
  id: string;
  tool: string;
  title: string;
  input: Record<string, unknown>;
}

export interface ModelFacts {
  /** The session's model's context window, in tokens. */
  contextWindow(): number | undefined;
  /** USD per million tokens. */
  price(): { input: number; output: number } | undefined;
}

export class SessionUpdates {
  /** The call being run (one at a time per session), from its tool_call to its result. */
  running: RunningCall | undefined;
  private readonly calls = new Map<string, RunningCall>();
  /** The client terminal each command ran in, by call id. */
  private readonly terminals = new Map<string, string>();
  private cost = 0;
  private readonly root: string;
  private readonly model: ModelFacts;

  constructor(root: string, model: ModelFacts) {
    this.root = root;
    this.model = model;
  }

  /** A command of this call runs in the client's terminal `terminalId`. */
  ranInTerminal(callId: string, terminalId: string): void {
    this.terminals.set(callId, terminalId);
  }

  translate(update: SessionUpdate): acp.SessionUpdate[] {
    switch (update.kind) {
      case "message_chunk":
        return [{ sessionUpdate: "agent_message_chunk", content: { type: "text", text: update.text } }];
      case "thought_chunk":
        return [{ sessionUpdate: "agent_thought_chunk", content: { type: "text", text: update.text } }];
      case "tool_call": {
        const call = { id: update.id, tool: update.tool, title: update.title, input: (update.input ?? {}) as Record<string, unknown> };
        this.calls.set(call.id, call);
        this.running = call;
        return [toolCallStarted(call.id, call.tool, call.input, call.title, this.root)];
      }
      case "tool_result": {
        const call = this.calls.get(update.id);
        this.calls.delete(update.id);
        if (this.running?.id === update.id) this.running = undefined;
        const terminalId = this.terminals.get(update.id);
        this.terminals.delete(update.id);
        const end = { id: update.id, tool: call?.tool ?? "", input: call?.input ?? {}, status: update.status, output: update.output, ...(terminalId ? { terminalId } : {}) };
        return [toolCallEnded(end, this.root)];
      }
      case "plan":
        return [{ sessionUpdate: "plan", entries: planEntries(update.entries) }];
      case "usage":
        return [this.usage(update)];
      case "edit":
      case "review":
        // The edit tool's diff shows with its call; where the text went (buffer or disk) is the workspace's
        // business. ACP reviews an edit by its permission request, before it runs.
        return [];
    }
  }

  /** Tokens in the context after this request, of the model's window, and the session's cost so far. */
  private usage(update: Extract<SessionUpdate, { kind: "usage" }>): acp.SessionUpdate {
    const price = this.model.price();
    if (price) this.cost += (update.inputTokens * price.input + update.outputTokens * price.output) / 1_000_000;
    const used = update.inputTokens + update.outputTokens;
    return {
      sessionUpdate: "usage_update",
      used,
      size: this.model.contextWindow() ?? used,
      ...(price && (price.input > 0 || price.output > 0) ? { cost: { amount: Math.round(this.cost * 1e6) / 1e6, currency: "USD" } } : {}),
    };
  }
}

// One agent turn: the user's prompt in; model stream, tool calls, results fed back, until the
// model ends the turn, the step limit is hit, or the turn is cancelled. Every step goes out as a
// SessionUpdate. The same loop serves every front (LSP, ACP, headless run).
import type { SessionUpdate } from "../bus/events.ts";
import type { Logger } from "../log.ts";
import type { Message, ToolCall, Usage } from "../providers/types.ts";
import type { ToolRegistry } from "../tools/registry.ts";
import type { ToolContext } from "../tools/types.ts";
import { compact, COMPACT_AT, projectedTokens } from "./compaction.ts";
import type { ModelClient } from "./model-client.ts";

/** refusal: the model declined to answer (a provider's content filter or refusal stop). */
export type StopReason = "end_turn" | "cancelled" | "max_turns" | "refusal" | "error";

export interface TurnResult {
  stopReason: StopReason;
  error?: string;
  /** What kind of error (a provider's ErrorKind, or "exception"), when stopReason is "error". */
  errorKind?: string;
  usage: Usage;
  /** Model requests made (compaction included). */
  steps: number;
}

export interface TurnOptions {
  model: string;
  client: ModelClient;
  tools: ToolRegistry;
  /** Everything a tool call needs but its signal and call id. */
  toolContext: Omit<ToolContext, "signal" | "callId">;
  /** The conversation so far; the turn appends to it. */
  messages: Message[];
  prompt: string;
  /** Attached context (a file range, diagnostics), sent with the prompt. */
  context?: string[];
  system: string;
  signal: AbortSignal;
  emit: (update: SessionUpdate) => void;
  /** Model requests per turn before stopping with max_turns. */
  maxSteps?: number;
  maxTokens?: number;
  temperature?: number;
  /** The model's context window, for compaction; none means never compact. */
  contextWindow?: number;
  log?: Logger;
}

export const DEFAULT_MAX_STEPS = 50;

export async function runTurn(options: TurnOptions): Promise<TurnResult> {
  const { client, model, tools, messages, signal, emit } = options;
  const usage: Usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  const result = (stopReason: StopReason, error?: string, errorKind?: string): TurnResult => ({ stopReason, usage, steps, ...(error ? { error, errorKind: errorKind ?? "exception" } : {}) });
  let steps = 0;
  let last: { usage?: Usage; countedMessages: number } = { countedMessages: 0 };

  messages.push({ role: "user", content: withContext(options.prompt, options.context) });

  for (let step = 0; step < (options.maxSteps ?? DEFAULT_MAX_STEPS); step++) {
    if (signal.aborted) return result("cancelled");
    if (options.contextWindow && projectedTokens(messages, last, options.system) > COMPACT_AT * options.contextWindow) {
      steps++;
      if (await compact(messages, client, model, options.system, signal)) {
        options.log?.info({ messages: messages.length }, "compacted the conversation");
        last = { countedMessages: 0 };
      }
    }

    steps++;
    let text = "";
    const calls: ToolCall[] = [];
    let failure: string | undefined;
    let failureKind: string | undefined;
    let refused = false;
    try {
      const stream = client.stream(model, {
        system: options.system,
        messages,
        tools: tools.definitions(),
        signal,
        ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      });
      for await (const event of stream) {
        switch (event.type) {
          case "text":
            text += event.text;
            emit({ kind: "message_chunk", text: event.text });
            break;
          case "reasoning":
            emit({ kind: "thought_chunk", text: event.text });
            break;
          case "tool_call":
            calls.push({ id: event.id, name: event.name, input: event.input });
            break;
          case "usage":
            usage.inputTokens += event.inputTokens;
            usage.outputTokens += event.outputTokens;
            usage.cachedTokens += event.cachedTokens;
            last = { usage: event, countedMessages: messages.length };
            emit({ kind: "usage", inputTokens: event.inputTokens, outputTokens: event.outputTokens, cachedTokens: event.cachedTokens });
            break;
          case "error":
            failure = event.error.message;
            failureKind = event.error.kind;
            break;
          case "stop":
            refused = event.reason === "refusal";
            break;
        }
      }
    } catch (error) {
      failure = signal.aborted ? undefined : ((error as Error)?.message ?? String(error));
      const kind = (error as { kind?: unknown } | undefined)?.kind;
      failureKind = typeof kind === "string" ? kind : "exception";
    }

    // What the model said stays in the conversation, also when the stream failed or was cancelled.
    if (text || calls.length > 0) messages.push({ role: "assistant", content: text, ...(calls.length ? { toolCalls: calls } : {}) });
    if (signal.aborted) return closeCalls(messages, calls, result("cancelled"));
    if (failure !== undefined) return closeCalls(messages, calls, result("error", failure, failureKind));
    if (calls.length === 0) return result(refused ? "refusal" : "end_turn");

    for (const [i, call] of calls.entries()) {
      if (signal.aborted) return closeCalls(messages, calls.slice(i), result("cancelled"));
      await runToolCall(call, options);
    }
  }
  return result("max_turns");
}

async function runToolCall(call: ToolCall, options: TurnOptions): Promise<void> {
  const { tools, emit, signal } = options;
  const tool = tools.get(call.name);
  emit({ kind: "tool_call", id: call.id, tool: call.name, title: titleOf(tool, call), input: call.input });
  const outcome = await tools.run(call.name, call.input, { ...options.toolContext, signal, callId: call.id });
  emit({ kind: "tool_result", id: call.id, status: outcome.status, output: outcome.output });
  if (call.name === "todo" && outcome.status === "completed") {
    emit({ kind: "plan", entries: options.toolContext.session.todos.map(({ content, status, priority }) => ({ content, status, ...(priority ? { priority } : {}) })) });
  }
  options.messages.push({ role: "tool", toolCallId: call.id, toolName: call.name, content: outcome.output, ...(outcome.status === "failed" ? { isError: true } : {}) });
}

function titleOf(tool: ReturnType<ToolRegistry["get"]>, call: ToolCall): string {
  try {
    return tool?.title?.(call.input as never) ?? call.name;
  } catch {
    return call.name;
  }
}

/** Every tool call in the conversation needs a result: calls that will not run get a "not run" one. */
function closeCalls(messages: Message[], calls: ToolCall[], result: TurnResult): TurnResult {
  for (const call of calls) {
    if (messages.some((m) => m.role === "tool" && m.toolCallId === call.id)) continue;
    messages.push({ role: "tool", toolCallId: call.id, toolName: call.name, content: `Not run: the turn ended (${result.stopReason}).`, isError: true });
  }
  return result;
}

function withContext(prompt: string, context: string[] | undefined): string {
  if (!context?.length) return prompt;
  return `${prompt}\n\n${context.map((c) => `<context>\n${c}\n</context>`).join("\n")}`;
}

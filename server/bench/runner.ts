// Asks one model every task: through the provider client's streamOnce (no router, no cache), a few
// requests at a time, each with its own timeout, timing the first token and the whole answer, and
// sampling this process's resident set meanwhile.
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { ModelClient } from "../providers/index.ts";
import { answerOf, type AskMode, refusesFim, requestFor } from "./prompts.ts";
import type { Task } from "./tasks.ts";

export interface Attempt {
  task: Task;
  /** The code read from the answer ("" when it failed). */
  answer: string;
  ttftMs: number | null;
  totalMs: number;
  inputTokens: number;
  outputTokens: number;
  error?: string;
}

export interface ModelRun {
  model: string;
  mode: AskMode;
  attempts: Attempt[];
  peakRssBytes: number;
}

export interface RunOptions {
  concurrency: number;
  timeoutMs: number;
  /** Stops the run (Ctrl-C): requests in flight are cancelled, the rest not sent. */
  signal?: AbortSignal;
  onAttempt?: (attempt: Attempt) => void;
}

const AS_TEXT = { disallowedSpecial: new Set<string>() };

function promptTokens(request: ReturnType<typeof requestFor>): number {
  const text = request.fim ? request.fim.prefix + request.fim.suffix : `${request.system ?? ""}${request.messages.map((m) => m.content).join("")}`;
  return countTokens(text, AS_TEXT);
}

async function ask(client: ModelClient, model: string, task: Task, mode: AskMode, options: RunOptions): Promise<Attempt> {
  const request = requestFor(task, mode);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  request.signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const started = performance.now();
  let first: number | undefined;
  let text = "";
  let usage: { inputTokens: number; outputTokens: number } | undefined;
  let error: string | undefined;
  for await (const event of client.streamOnce(model, request)) {
    if (event.type === "text") {
      first ??= performance.now();
      text += event.text;
    } else if (event.type === "usage") usage = event;
    else if (event.type === "error") error = event.error.message;
    else if (event.type === "stop" && event.reason === "cancelled") error = timeout.aborted ? `timed out after ${options.timeoutMs / 1000} s` : "cancelled";
  }
  const totalMs = performance.now() - started;
  return {
    task,
    answer: error ? "" : answerOf(text),
    ttftMs: first === undefined ? null : first - started,
    totalMs,
    inputTokens: usage?.inputTokens || promptTokens(request),
    outputTokens: usage?.outputTokens || countTokens(text, AS_TEXT),
    ...(error ? { error } : {}),
  };
}

/** Every task once, `concurrency` at a time; attempts in task order. */
export async function runModel(client: ModelClient, model: string, tasks: Task[], initialMode: AskMode, options: RunOptions): Promise<ModelRun> {
  let mode = initialMode;
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  sampler.unref();
  const attempts: Attempt[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length && !options.signal?.aborted) {
      const index = next++;
      const task = tasks[index]!;
      let attempt = await ask(client, model, task, mode, options);
      if (attempt.error && task.kind !== "edit" && mode === "fim" && refusesFim(attempt.error)) {
        mode = "prompt"; // this model has no FIM template: the rest, and this one again, by prompt
        attempt = await ask(client, model, task, mode, options);
      }
      attempts[index] = attempt;
      options.onAttempt?.(attempt);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, tasks.length)) }, worker));
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  return { model, mode, attempts: attempts.filter(Boolean), peakRssBytes: peak };
}

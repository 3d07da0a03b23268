// Asking one model: an Ollama model without a FIM template is asked by prompt instead (once it
// refuses), a request that takes too long is a timeout error, and the rest go on.
import { afterEach, describe, expect, it } from "vitest";
import { runModel } from "../../../server/bench/runner.ts";
import type { FimTask } from "../../../server/bench/tasks.ts";
import { clientFor } from "../../support/providers/client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let server: ScriptedProvider | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const tasks: FimTask[] = [1, 2, 3].map((i) => ({ id: `line:a.py:${i}`, kind: "line", file: "a.py", language: "python", line: i, prefix: `x${i} = `, middle: `f(${i})`, suffix: "\n" }));

describe("runModel", () => {
  it("an Ollama model that does not support insert is asked by prompt from then on", async () => {
    server = await startScriptedProvider({
      protocol: "ollama",
      reply: (r) => (r.path === "/api/generate" ? { status: 400, errorMessage: "registry.ollama.ai/library/llama3:latest does not support insert" } : { text: "f(1)" }),
    });
    const run = await runModel(clientFor(server), "test/llama3", tasks, "fim", { concurrency: 1, timeoutMs: 5_000 });
    expect(run.mode).toBe("prompt");
    expect(run.attempts.map((a) => a.error)).toEqual([undefined, undefined, undefined]);
    expect(run.attempts.map((a) => a.answer)).toEqual(["f(1)", "f(1)", "f(1)"]);
    expect(server.requests.map((r) => r.path)).toEqual(["/api/generate", "/api/chat", "/api/chat", "/api/chat"]);
  });

  it("a request over the timeout fails as a timeout; the others are answered", async () => {
    let n = 0;
    server = await startScriptedProvider({ protocol: "openai", reply: () => (++n === 2 ? { text: "late", firstTokenDelayMs: 3_000 } : { text: "f(1)" }) });
    const run = await runModel(clientFor(server), "test/m", tasks, "prompt", { concurrency: 1, timeoutMs: 500 });
    expect(run.attempts.map((a) => a.error)).toEqual([undefined, "timed out after 0.5 s", undefined]);
    expect(run.attempts[1]!.answer).toBe("");
    expect(run.attempts[1]!.totalMs).toBeLessThan(2_000);
    expect(run.attempts[0]!.ttftMs).not.toBeNull();
    expect(run.peakRssBytes).toBeGreaterThan(0);
  });
});

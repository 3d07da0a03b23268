// Each session's loop runs in a worker with limits: a session that runs out of memory fails alone,
// with the reason; the server keeps answering and other sessions finish.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, expect, it } from "vitest";
import { LspTestClient, parseFrames } from "../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../support/providers/scripted-server.ts";

let client: LspTestClient | undefined;
let providers: ScriptedProvider[] = [];
afterEach(async () => {
  client?.kill();
  for (const p of providers) await p.close();
  providers = [];
});

it("a session worker over its memory limit fails alone; the server and another session go on", async () => {
  const chunk = "x".repeat(256 * 1024);
  const greedy = await startScriptedProvider({ protocol: "openai", turns: [{ text: Array.from({ length: 400 }, () => chunk) }] });
  const fine = await startScriptedProvider({ protocol: "openai", turns: [{ text: "all good", firstTokenDelayMs: 300 }] });
  providers = [greedy, fine];
  const root = mkdtempSync(join(tmpdir(), "isolation-"));
  writeFileSync(join(root, "a.txt"), "a\n");
  client = new LspTestClient({ cwd: root, env: { OPENCODE_LSP_SESSION_MEMORY_MB: "48" } });
  await client.initialize({
    rootUri: pathToFileURL(root).href,
    initializationOptions: {
      model: "greedy/m",
      providers: {
        greedy: { baseURL: greedy.baseURLs.openai, protocol: "openai", apiKey: "k" },
        fine: { baseURL: fine.baseURLs.openai, protocol: "openai", apiKey: "k" },
      },
    },
  });
  const a = await client.request("opencode/session/new", { title: "greedy" });
  const b = await client.request("opencode/session/new", { title: "fine", model: "fine/m" });
  const [ra, rb] = await Promise.all([
    client.request("opencode/session/prompt", { sessionId: a.sessionId, prompt: "stream a lot" }),
    client.request("opencode/session/prompt", { sessionId: b.sessionId, prompt: "hello" }),
  ]);
  expect(ra).toMatchObject({ stopReason: "error", error: expect.stringMatching(/out of memory/) });
  expect(rb).toEqual({ stopReason: "end_turn" });
  const health = await client.request("opencode/health");
  expect(health.agent.sessions).toBe(2);
  const notice = await client.waitForNotification("window/showMessage", (p) => /greedy.*failed: out of memory/.test(p.message));
  expect(notice.type).toBe(1);
  // The failed session says so; the other takes another turn.
  expect(await client.request("opencode/session/prompt", { sessionId: a.sessionId, prompt: "again" })).toMatchObject({ stopReason: "error", error: expect.stringMatching(/session failed/) });
  fine.setTurns([{ text: "still good" }]);
  expect(await client.request("opencode/session/prompt", { sessionId: b.sessionId, prompt: "again" })).toEqual({ stopReason: "end_turn" });
}, 60_000);

it("a session worker's own writes to stdout never reach the protocol stream", async () => {
  const model = await startScriptedProvider({ protocol: "openai", turns: [{ text: "done" }] });
  providers = [model];
  const root = mkdtempSync(join(tmpdir(), "isolation-stdout-"));
  // A preload that runs in every thread (as a dependency's console.log would): the worker writes to stdout.
  const preload = join(root, "noisy.mjs");
  writeFileSync(preload, 'import { isMainThread } from "node:worker_threads";\nif (!isMainThread) { console.log("WORKER-NOISE"); process.stdout.write("WORKER-NOISE\\n"); }\n');
  client = new LspTestClient({ cwd: root, env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` } });
  await client.initialize({
    rootUri: pathToFileURL(root).href,
    initializationOptions: { model: "m/m", providers: { m: { baseURL: model.baseURLs.openai, protocol: "openai", apiKey: "k" } } },
  });
  const { sessionId } = await client.request("opencode/session/new", {});
  expect(await client.request("opencode/session/prompt", { sessionId, prompt: "hello" })).toEqual({ stopReason: "end_turn" });
  expect(client.stdout.includes("WORKER-NOISE")).toBe(false);
  expect(() => parseFrames(client!.stdout)).not.toThrow();
}, 30_000);

// retention "local": sessions persist encrypted and come back after a restart; "none" (default)
// keeps nothing (the full walk of every directory is in the privacy tests).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, expect, it } from "vitest";
import { LspTestClient } from "../support/lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider } from "../support/providers/scripted-server.ts";

let client: LspTestClient | undefined;
let provider: ScriptedProvider | undefined;
afterEach(async () => {
  client?.kill();
  await provider?.close();
});

async function server(root: string, home: string, retention: "local" | "none") {
  client = new LspTestClient({ cwd: root, env: { HOME: home, XDG_CONFIG_HOME: join(home, "config"), XDG_STATE_HOME: join(home, "state") } });
  await client.initialize({
    rootUri: pathToFileURL(root).href,
    initializationOptions: { model: "s/m", retention, providers: { s: { baseURL: provider!.baseURLs.openai, protocol: "openai", apiKey: "k" } } },
  });
  return client;
}

it("retention local: restart, list, load, continue", async () => {
  provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "The secret word is PAPAYA." }, { text: "You asked about the secret word." }] });
  const root = mkdtempSync(join(tmpdir(), "ret-ws-"));
  const home = mkdtempSync(join(tmpdir(), "ret-home-"));
  writeFileSync(join(root, "a.txt"), "a\n");
  let c = await server(root, home, "local");
  const { sessionId } = await c.request("opencode/session/new", { title: "kept" });
  await c.request("opencode/session/prompt", { sessionId, prompt: "tell me the secret word" });
  expect(await c.shutdownAndExit()).toBe(0);

  const dir = join(home, "state", "opencode-lsp", "sessions");
  const files = readdirSync(dir);
  expect(files).toEqual([`${sessionId}.session`]);
  const bytes = readFileSync(join(dir, files[0]!));
  expect(bytes.toString("latin1")).not.toMatch(/PAPAYA|secret word/); // encrypted
  const keyFile = join(home, "config", "opencode-lsp", "sessions.key");
  expect((await import("node:fs")).statSync(keyFile).mode & 0o777).toBe(0o600);

  c = await server(root, home, "local");
  const list = await c.request("opencode/session/list");
  expect(list).toEqual([expect.objectContaining({ sessionId, title: "kept", messages: 2 })]);
  const before = c.notifications.length;
  await c.request("opencode/session/load", { sessionId });
  const replayed = c.notifications.slice(before).map((n) => n.params.update);
  expect(replayed).toContainEqual({ kind: "message_chunk", text: "The secret word is PAPAYA." });
  await c.request("opencode/session/prompt", { sessionId, prompt: "what did I ask?" });
  expect(JSON.stringify(provider.requests.at(-1)!.body.messages)).toContain("The secret word is PAPAYA.");

  await c.request("opencode/session/end", { sessionId });
  expect(existsSync(join(dir, `${sessionId}.session`))).toBe(false);
});

it("retention none: nothing is written, and a restart has no sessions", async () => {
  provider = await startScriptedProvider({ protocol: "openai", turns: [{ text: "hello" }] });
  const root = mkdtempSync(join(tmpdir(), "ret-ws-"));
  const home = mkdtempSync(join(tmpdir(), "ret-home-"));
  let c = await server(root, home, "none");
  const { sessionId } = await c.request("opencode/session/new", {});
  await c.request("opencode/session/prompt", { sessionId, prompt: "hi" });
  expect(await c.shutdownAndExit()).toBe(0);
  expect(existsSync(join(home, "state"))).toBe(false);
  expect(readdirSync(root)).toEqual([]);
  c = await server(root, home, "none");
  expect(await c.request("opencode/session/list")).toEqual([]);
});

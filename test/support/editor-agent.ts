// The agent in an editor, for integration tests: a project folder with the given files, a scripted
// model on 127.0.0.1, and the built server over stdio, initialized with that model (the config a
// user would write). `stopEditorAgents()` (in afterEach) ends every one started.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LspTestClient } from "./lsp-client.ts";
import { startScriptedProvider, type ScriptedProvider, type ScriptedTurn } from "./providers/scripted-server.ts";

export interface EditorAgentOptions {
  turns: ScriptedTurn[];
  files: Record<string, string>;
  /** The client capabilities; by default applyEdit with documentChanges. */
  capabilities?: Record<string, unknown>;
  /** More initializationOptions (config); permissions default to edit and bash allowed. */
  options?: Record<string, unknown>;
  /** The server's environment (e.g. a HOME of the test's own). */
  env?: NodeJS.ProcessEnv;
}

export interface EditorAgent {
  root: string;
  client: LspTestClient;
  provider: ScriptedProvider;
  /** The file URI of a file in the project. */
  uri(name: string): string;
}

const running: EditorAgent[] = [];

export async function startEditorAgent(setup: EditorAgentOptions): Promise<EditorAgent> {
  const provider = await startScriptedProvider({ protocol: "openai", turns: setup.turns });
  const root = mkdtempSync(join(tmpdir(), "editor-agent-"));
  for (const [name, text] of Object.entries(setup.files)) writeFileSync(join(root, name), text);
  const client = new LspTestClient({ cwd: root, ...(setup.env ? { env: setup.env } : {}) });
  const agent: EditorAgent = { root, client, provider, uri: (name) => pathToFileURL(join(root, name)).href };
  running.push(agent);
  client.initializeResult = await client.initialize({
    rootUri: pathToFileURL(root).href,
    capabilities: setup.capabilities ?? { workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } } },
    initializationOptions: {
      model: "scripted/test-model",
      providers: { scripted: { baseURL: provider.baseURLs.openai, protocol: "openai", apiKey: "test-key" } },
      permissions: { edit: "allow", bash: "allow" },
      ...setup.options,
    },
  });
  return agent;
}

export async function stopEditorAgents(): Promise<void> {
  for (const agent of running.splice(0)) {
    agent.client.kill();
    await agent.provider.close();
  }
}

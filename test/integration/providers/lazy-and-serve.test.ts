// Startup cost and the standalone scripted server: no SDK is loaded until the first stream, and
// `node test/support/providers/serve.ts script.json` serves scripts to other processes.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { collect, createModelClient } from "../../../server/providers/index.ts";

const root = join(import.meta.dirname, "..", "..", "..");

function runNode(args: string[]): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("exit", (code) => resolve({ stdout, code }));
  });
}

describe("lazy SDK loading", () => {
  it("loading the providers layer, resolving models and listing them loads no SDK; the first stream loads only its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "providers-lazy-"));
    const script = join(dir, "probe.mjs");
    writeFileSync(
      script,
      `
import { registerHooks } from "node:module";
const loaded = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url); if (m) loaded.add(m[1]); return r; } });
const sdks = () => [...loaded].filter((p) => ["openai", "@anthropic-ai/sdk", "ollama"].includes(p)).sort();
const { createModelClient, listModels, formatModelsTable } = await import(${JSON.stringify(join(root, "server/providers/index.ts"))});
const client = createModelClient({ config: { providers: { x: { protocol: "anthropic", baseURL: "http://127.0.0.1:9", apiKey: "k" } } }, env: {} });
client.checkModel("anthropic/claude-sonnet-4-5"); client.contextWindow("openai/gpt-4.1");
formatModelsTable(await listModels({ providers: {} }, {}, { probe: false }));
const before = sdks();
for await (const e of client.stream("x/m", { messages: [{ role: "user", content: "hi" }] })) void e;
console.log(JSON.stringify({ before, after: sdks() }));
`,
    );
    const { stdout, code } = await runNode([script]);
    expect(code).toBe(0);
    const { before, after } = JSON.parse(stdout.trim()) as { before: string[]; after: string[] };
    expect(before).toEqual([]);
    expect(after).toEqual(["@anthropic-ai/sdk"]);
  });
});

describe("standalone scripted server", () => {
  it("prints its port, serves the script and reports what it received", async () => {
    const dir = mkdtempSync(join(tmpdir(), "providers-serve-"));
    const file = join(dir, "script.json");
    writeFileSync(file, JSON.stringify({ protocol: "ollama", turns: [{ text: "from another process", toolCalls: [{ name: "read_file", arguments: { path: "x" } }] }] }));
    const child = spawn(process.execPath, [join(root, "test/support/providers/serve.ts"), file], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
      const info = JSON.parse(line) as { port: number; baseURL: string; baseURLs: Record<string, string> };
      expect(info.port).toBeGreaterThan(0);
      const client = createModelClient({ config: { providers: { ollama: { baseURL: info.baseURL } } }, env: {} });
      const result = await collect(client.stream("ollama/qwen2.5-coder:7b", { system: "S", messages: [{ role: "user", content: "hi" }] }));
      expect(result.text).toBe("from another process");
      expect(result.toolCalls).toEqual([{ id: "call_0", name: "read_file", input: { path: "x" } }]);
      const recorded = (await (await fetch(`${info.baseURL}/__requests`)).json()) as { path: string; body: { model: string; messages: unknown[] } }[];
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ path: "/api/chat", body: { model: "qwen2.5-coder:7b", messages: [{ role: "system", content: "S" }, { role: "user", content: "hi" }] } });
      // Re-script at runtime.
      await fetch(`${info.baseURL}/__script`, { method: "POST", body: JSON.stringify({ turns: [{ text: "second script" }] }) });
      expect((await collect(client.stream("ollama/qwen2.5-coder:7b", { messages: [{ role: "user", content: "again" }] }))).text).toBe("second script");
    } finally {
      child.kill();
    }
  });
});

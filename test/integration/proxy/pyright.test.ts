// Fronting a real pyright: its workspace/configuration requests are answered from the proxy
// entry's `settings`, never reaching the editor.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { pyrightProxy } from "../../support/language-servers.ts";
import { LspTestClient } from "../../support/lsp-client.ts";

const SOURCE = "def twice(a):\n    return a * 2\n\ncount: int = 'three'\n";
let client: LspTestClient | undefined;
afterEach(() => client?.kill());

async function diagnosticsWith(settings: Record<string, unknown>) {
  const root = mkdtempSync(join(tmpdir(), "proxy-py-"));
  writeFileSync(join(root, "a.py"), SOURCE);
  const uri = pathToFileURL(join(root, "a.py")).href;
  client = new LspTestClient({ cwd: root });
  await client.initialize({
    rootUri: pathToFileURL(root).href,
    workspaceFolders: [{ uri: pathToFileURL(root).href, name: "ws" }],
    capabilities: { textDocument: { publishDiagnostics: {} } },
    initializationOptions: { proxy: { python: pyrightProxy(settings) } },
  });
  await client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "python", version: 1, text: SOURCE } });
  const published = await client.waitForNotification("textDocument/publishDiagnostics", (p) => p.uri === uri && p.diagnostics.length > 0, 30_000);
  return published.diagnostics.map((d: any) => String(d.code ?? d.message));
}

describe("proxying pyright", () => {
  it("answers its workspace/configuration from the entry's settings", async () => {
    const strict = await diagnosticsWith({ python: { analysis: { typeCheckingMode: "strict" } } });
    expect(strict).toContain("reportAssignmentType");
    expect(strict).toContain("reportMissingParameterType"); // only strict mode reports this
    expect(client!.serverRequests.filter((r) => r.method === "workspace/configuration")).toEqual([]);
    client!.kill();

    const basic = await diagnosticsWith({ python: { analysis: { typeCheckingMode: "basic" } } });
    expect(basic).toContain("reportAssignmentType");
    expect(basic).not.toContain("reportMissingParameterType");
  }, 60_000);
});

// Configuration from all five sources, reloading, and invalid values, seen from the editor's side.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { LspTestClient } from "../support/lsp-client.ts";

let client: LspTestClient;
afterEach(() => client?.kill());

const model = async () => (await client.request("opencode/health")).config.model;

function workspace(opencodeJson?: string): string {
  const root = mkdtempSync(join(tmpdir(), "opencode-ws-"));
  if (opencodeJson !== undefined) writeFileSync(join(root, "opencode.json"), opencodeJson);
  return root;
}

const pullCapabilities = { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } } };

describe("configuration", () => {
  it("merges user file < opencode.json < initializationOptions < workspace/configuration", async () => {
    const root = workspace('{ "model": "openai/from-workspace-file" }');
    const home = mkdtempSync(join(tmpdir(), "opencode-home-"));
    mkdirSync(join(home, "opencode-lsp"));
    writeFileSync(join(home, "opencode-lsp", "config.json"), '{ "model": "openai/from-user-file" }');
    client = new LspTestClient({ cwd: root, env: { XDG_CONFIG_HOME: home } });
    let section: unknown = null;
    client.answers.set("workspace/configuration", (params) => params.items.map(() => section));

    await client.initialize({ rootUri: pathToFileURL(root).href, capabilities: {} });
    expect(await model()).toBe("openai/from-workspace-file");
    client.kill();

    client = new LspTestClient({ cwd: root, env: { XDG_CONFIG_HOME: home } });
    client.answers.set("workspace/configuration", (params) => params.items.map(() => section));
    section = { model: "anthropic/from-client" };
    await client.initialize({
      rootUri: pathToFileURL(root).href,
      capabilities: pullCapabilities,
      initializationOptions: { model: "ollama/from-init-options", capabilities: { permissionRequests: true } },
    });
    expect(await model()).toBe("ollama/from-init-options");
    await expect.poll(model).toBe("anthropic/from-client");
    const pulls = client.serverRequests.filter((r) => r.method === "workspace/configuration");
    expect(pulls[0]?.params).toEqual({ items: [{ section: "opencode" }] });
    expect(client.serverRequests.some((r) => r.method === "client/registerCapability")).toBe(true);
  });

  it("re-reads on workspace/didChangeConfiguration, including the files", async () => {
    const root = workspace('{ "model": "openai/one" }');
    client = new LspTestClient({ cwd: root });
    let section: unknown = {};
    client.answers.set("workspace/configuration", (params) => params.items.map(() => section));
    await client.initialize({ rootUri: pathToFileURL(root).href, capabilities: pullCapabilities });
    await expect.poll(model).toBe("openai/one");

    writeFileSync(join(root, "opencode.json"), '{ "model": "openai/two" }');
    await client.notify("workspace/didChangeConfiguration", { settings: null });
    await expect.poll(model).toBe("openai/two");

    section = { model: "openai/three" };
    await client.notify("workspace/didChangeConfiguration", { settings: null });
    await expect.poll(model).toBe("openai/three");
  });

  it("takes pushed settings from clients without workspace/configuration", async () => {
    client = new LspTestClient();
    await client.initialize({ rootUri: pathToFileURL(workspace()).href, capabilities: {} });
    await client.notify("workspace/didChangeConfiguration", { settings: { opencode: { model: "groq/pushed" } } });
    await expect.poll(model).toBe("groq/pushed");
  });

  it("reports an invalid value with its path and keeps the last good config", async () => {
    const root = workspace('{ "model": "openai/good" }');
    client = new LspTestClient({ cwd: root });
    let section: unknown = {};
    client.answers.set("workspace/configuration", (params) => params.items.map(() => section));
    await client.initialize({ rootUri: pathToFileURL(root).href, capabilities: pullCapabilities });
    await expect.poll(model).toBe("openai/good");

    section = { model: "openai/client-good" };
    await client.notify("workspace/didChangeConfiguration", { settings: null });
    await expect.poll(model).toBe("openai/client-good");

    section = { model: "openai/bad", proxy: { typescript: { command: "tsserver", filetypes: ["typescript"] } } };
    await client.notify("workspace/didChangeConfiguration", { settings: null });
    const shown = await client.waitForNotification("window/showMessage", (p) => p.type === 1);
    expect(shown.message).toContain("proxy.typescript.command: expected array");
    expect(await model()).toBe("openai/client-good");
    expect(client.stderr).toContain("invalid config");
  });

  it("reports a broken opencode.json at startup and still runs on the other sources", async () => {
    const root = workspace('{ "model": ');
    client = new LspTestClient({ cwd: root });
    await client.initialize({ rootUri: pathToFileURL(root).href, initializationOptions: { model: "openai/init" } });
    const shown = await client.waitForNotification("window/showMessage", (p) => p.type === 1);
    expect(shown.message).toContain("opencode.json");
    expect(await model()).toBe("openai/init");
  });
});

import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigStore, DEFAULTS, loadConfigFiles } from "../../../server/config/index.ts";
import { validateSource } from "../../../server/config/schema.ts";

describe("config schema", () => {
  it("reports an invalid value with its dotted path", () => {
    const result = validateSource("opencode.json", { proxy: { typescript: { command: "typescript-language-server", filetypes: ["typescript"] } } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([{ source: "opencode.json", path: "proxy.typescript.command", message: "expected array" }]);
  });

  it("names unknown keys and bad enum words", () => {
    const result = validateSource("x", { modle: "openai/gpt-4o", permissions: { bash: "sometimes" } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(paths).toContain("(root): unknown key modle");
    expect(paths.some((p) => p.startsWith("permissions.bash"))).toBe(true);
  });

  it("accepts every key of SPEC.md", () => {
    const result = validateSource("x", {
      model: "anthropic/claude-sonnet-4-5",
      providers: { openai: { apiKeyEnv: "MY_KEY", endpoints: ["https://a.example/v1"], headers: { "X-Org": "1" } } },
      proxy: { ts: { command: ["typescript-language-server", "--stdio"], filetypes: ["typescript"], rootMarkers: ["tsconfig.json"], settings: {}, initializationOptions: {} } },
      permissions: { edit: "allow", bash: { "git *": "allow", "*": "ask" }, read: "allow", webfetch: "deny" },
      retention: "local",
      telemetry: { enabled: true },
      share: { baseUrl: "https://share.example", sign: true },
      policy: { offline: true, allowProviders: ["ollama"], denyTools: ["bash"], allowPaths: ["src/**"] },
      offline: { modelDir: "/models", trustedKeys: ["abc"] },
      completion: { enabled: true, debounceMs: 100 },
    });
    expect(result.ok).toBe(true);
  });
});

describe("config store", () => {
  it("merges sources in order, later wins, objects merge key by key", () => {
    const store = new ConfigStore();
    store.set("user", "user.json", { model: "openai/gpt-4o", permissions: { bash: "deny" } });
    store.set("workspace", "opencode.json", { model: "ollama/qwen2.5-coder:7b" });
    store.set("initializationOptions", "initializationOptions", { permissions: { edit: "allow" } });
    store.set("client", "workspace/configuration", { completion: { enabled: true } });
    const config = store.config;
    expect(config.model).toBe("ollama/qwen2.5-coder:7b");
    expect(config.permissions).toEqual({ edit: "allow", bash: "deny", read: "allow", webfetch: "ask", mcp: "ask" });
    expect(config.completion).toEqual({ enabled: true, debounceMs: 150 });
    expect(store.originOf("model")).toBe("opencode.json");
    expect(store.originOf("permissions.bash")).toBe("user.json");
    expect(store.originOf("permissions.read")).toBe("defaults");
  });

  it("the client section beats the workspace file regardless of the order they arrive in", () => {
    const store = new ConfigStore();
    store.set("client", "workspace/configuration", { model: "a/from-client" });
    store.set("workspace", "opencode.json", { model: "a/from-file" });
    expect(store.config.model).toBe("a/from-client");
  });

  it("keeps the last good value of a source that turns invalid", () => {
    const store = new ConfigStore();
    store.set("workspace", "opencode.json", { model: "openai/gpt-4o" });
    const result = store.set("workspace", "opencode.json", { model: 42 });
    expect(result.issues[0]).toMatchObject({ path: "model", message: "expected string" });
    expect(result.changed).toBe(false);
    expect(store.config.model).toBe("openai/gpt-4o");
  });

  it("replaces arrays instead of concatenating them", () => {
    const store = new ConfigStore();
    store.set("user", "u", { policy: { denyTools: ["bash", "webfetch"] } });
    store.set("workspace", "w", { policy: { denyTools: ["edit"] } });
    expect(store.config.policy.denyTools).toEqual(["edit"]);
  });

  it("notifies listeners only when the effective config changes", () => {
    const store = new ConfigStore();
    let calls = 0;
    store.onChange(() => calls++);
    store.set("user", "u", { retention: "none" }); // same as the default
    expect(calls).toBe(0);
    store.set("user", "u", { retention: "local" });
    expect(calls).toBe(1);
    store.set("user", "u", undefined);
    expect(calls).toBe(2);
    expect(store.config).toEqual(DEFAULTS);
  });
});

describe("config files", () => {
  it("reads the XDG user file and the workspace opencode.json as JSONC", () => {
    const home = mkdtempSync(join(tmpdir(), "cfg-"));
    const root = mkdtempSync(join(tmpdir(), "ws-"));
    mkdirSync(join(home, "opencode-lsp"), { recursive: true });
    writeFileSync(join(home, "opencode-lsp", "config.json"), '{ "model": "openai/gpt-4o", "retention": "local" }');
    writeFileSync(join(root, "opencode.json"), '{\n  // the project\'s model\n  "model": "anthropic/claude-sonnet-4-5",\n}\n');
    const store = new ConfigStore();
    const issues = loadConfigFiles(store, root, { XDG_CONFIG_HOME: home });
    expect(issues).toEqual([]);
    expect(store.config.model).toBe("anthropic/claude-sonnet-4-5");
    expect(store.config.retention).toBe("local");
  });

  it("reports a syntax error with line and column", () => {
    const root = mkdtempSync(join(tmpdir(), "ws-"));
    writeFileSync(join(root, "opencode.json"), '{\n  "model": "a/b"\n  "retention": "none"\n}');
    const store = new ConfigStore();
    const issues = loadConfigFiles(store, root, { XDG_CONFIG_HOME: join(root, "none") });
    expect(issues[0]?.path).toMatch(/^\(line 3:\d+\)$/);
    expect(issues[0]?.message).toBe("CommaExpected");
  });
});

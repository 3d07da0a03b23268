// The `mcp` config as OpenCode's opencode.json writes it, ACP's mcpServers turned into it, and
// MCP results as the text the model reads.
import { describe, expect, it } from "vitest";
import { ConfigStore } from "../../../server/config/index.ts";
import { validateSource } from "../../../server/config/schema.ts";
import { fromAcpMcpServers } from "../../../server/mcp/acp.ts";
import { resultText } from "../../../server/mcp/result.ts";

describe("config mcp", () => {
  it("reads OpenCode's shape as it is", () => {
    const result = validateSource("opencode.json", {
      mcp: {
        github: { type: "local", command: ["npx", "-y", "@modelcontextprotocol/server-github"], environment: { GITHUB_TOKEN: "x" }, enabled: true, timeout: 10000 },
        legacy: { type: "local", command: ["srv"], env: { A: "1" } },
        context7: { type: "remote", url: "https://mcp.context7.com/mcp", headers: { Authorization: "Bearer k" }, oauth: false },
        off: { type: "remote", url: "https://x.example/mcp", enabled: false },
      },
      permissions: { mcp: { "github_*": "allow", "*": "ask" } },
    });
    expect(result.ok).toBe(true);
  });

  it("names what is wrong, with the path", () => {
    const check = (raw: unknown) => {
      const r = validateSource("opencode.json", raw);
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(check({ mcp: { a: { type: "local", command: "srv" } } })).toEqual(["mcp.a.command: expected array"]);
    expect(check({ mcp: { a: { type: "stdio", command: ["srv"] } } })).toEqual(['mcp.a.type: expected one of "local", "remote"']);
    expect(check({ mcp: { a: { type: "remote", url: "not a url" } } })).toEqual(["mcp.a.url: expected a URL"]);
    expect(check({ mcp: { a: { type: "local", command: ["srv"], cwd: "/x" } } })).toEqual(["mcp.a: unknown key cwd"]);
    expect(check({ permissions: { mcp: "sometimes" } })[0]).toMatch(/^permissions\.mcp/);
  });

  it("defaults: no servers, permissions.mcp ask", () => {
    const config = new ConfigStore().config;
    expect(config.mcp).toEqual({});
    expect(config.permissions.mcp).toBe("ask");
  });
});

describe("fromAcpMcpServers", () => {
  it("turns ACP's stdio, http and sse servers into local and remote entries", () => {
    expect(
      fromAcpMcpServers([
        { name: "fs", command: "/usr/bin/mcp-fs", args: ["/work"], env: [{ name: "LOG", value: "debug" }] },
        { name: "bare", command: "srv", args: [], env: [] },
        { type: "http", name: "web", url: "https://mcp.example/mcp", headers: [{ name: "Authorization", value: "Bearer t" }] },
        { type: "sse", name: "old", url: "https://old.example/sse", headers: [] },
      ]),
    ).toEqual({
      fs: { type: "local", command: ["/usr/bin/mcp-fs", "/work"], environment: { LOG: "debug" } },
      bare: { type: "local", command: ["srv"] },
      web: { type: "remote", url: "https://mcp.example/mcp", headers: { Authorization: "Bearer t" } },
      old: { type: "remote", url: "https://old.example/sse" },
    });
  });

  it("the entries it makes pass the config schema", () => {
    const mcp = fromAcpMcpServers([{ name: "fs", command: "srv", args: ["a"], env: [{ name: "A", value: "1" }] }, { type: "http", name: "w", url: "https://w.example/mcp", headers: [] }]);
    expect(validateSource("acp", { mcp }).ok).toBe(true);
  });
});

describe("resultText", () => {
  it("keeps text, names media and links, falls back to structured content, marks errors", () => {
    expect(resultText({ content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] })).toEqual({ status: "completed", output: "a\nb" });
    expect(resultText({ content: [{ type: "image", mimeType: "image/png", data: "AAAA" }] }).output).toBe("[image image/png, 3 bytes, not shown]");
    expect(resultText({ content: [{ type: "resource_link", uri: "file:///x", name: "x" }] }).output).toBe("[resource file:///x (x)]");
    expect(resultText({ content: [{ type: "resource", resource: { uri: "mem://a", text: "body" } }] }).output).toBe("[resource mem://a]\nbody");
    expect(resultText({ content: [], structuredContent: { t: 21 } }).output).toBe('{\n  "t": 21\n}');
    expect(resultText({ content: [{ type: "text", text: "boom" }], isError: true })).toEqual({ status: "failed", output: "boom" });
    expect(resultText({ content: [] })).toEqual({ status: "completed", output: "(no output)" });
  });
});

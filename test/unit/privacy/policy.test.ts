// Policy rules, each one denying; the offline host check at the request site refusing before any socket.
import net from "node:net";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuditLog, setAuditLog } from "../../../server/privacy/audit.ts";
import { checkPath, checkProvider, checkRequestURL, checkTool, isLoopbackHost } from "../../../server/privacy/policy.ts";
import { collect, createModelClient } from "../../../server/providers/client.ts";
import { loadAdapter } from "../../../server/providers/adapters/index.ts";
import { guardAdapter } from "../../../server/providers/guard.ts";
import { ToolRegistry } from "../../../server/tools/registry.ts";
import { ToolSession, type Tool } from "../../../server/tools/types.ts";
import { startScriptedProvider, type ScriptedProvider } from "../../support/providers/scripted-server.ts";

let provider: ScriptedProvider | undefined;
afterEach(async () => {
  setAuditLog(undefined);
  await provider?.close();
  provider = undefined;
});

function withAudit(): () => any[] {
  const path = join(mkdtempSync(join(tmpdir(), "policy-audit-")), "audit.jsonl");
  setAuditLog(new AuditLog(path));
  return () => {
    try {
      return readFileSync(path, "utf8").trimEnd().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    } catch {
      return [];
    }
  };
}

/** Counts outgoing TCP connects made by this process while `fn` runs. */
async function countConnects<T>(fn: () => Promise<T>): Promise<{ result: T; connects: string[] }> {
  const connects: string[] = [];
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: any[]) {
    const opts = args[0];
    connects.push(typeof opts === "object" && opts ? `${opts.host ?? ""}:${opts.port ?? opts.path ?? ""}` : String(opts));
    return (original as any).apply(this, args);
  } as typeof original;
  try {
    return { result: await fn(), connects };
  } finally {
    net.Socket.prototype.connect = original;
  }
}

describe("isLoopbackHost", () => {
  it.each([
    ["localhost", true],
    ["LOCALHOST.", true],
    ["127.0.0.1", true],
    ["127.255.3.4", true],
    ["::1", true],
    ["[::1]", true],
    ["[::ffff:7f00:1]", true],
    ["::ffff:127.0.0.1", true],
    ["10.255.255.1", false],
    ["0.0.0.0", false],
    ["128.0.0.1", false],
    ["127.0.0.1.nip.io", false],
    ["localhost.example.com", false],
    ["api.openai.com", false],
    ["[::ffff:a00:1]", false],
    ["[fe80::1]", false],
    ["", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it("checkRequestURL refuses non-loopback URLs only when offline, including numeric tricks", () => {
    expect(checkRequestURL("http://10.255.255.1:11434", { offline: false })).toBeUndefined();
    expect(checkRequestURL("http://10.255.255.1:11434", { offline: true })?.rule).toBe("offline");
    expect(checkRequestURL("http://2130706433:11434", { offline: true })).toBeUndefined(); // = 127.0.0.1
    expect(checkRequestURL("http://0x7f.1:11434", { offline: true })).toBeUndefined();
    expect(checkRequestURL("http://user@api.openai.com@127.0.0.1/", { offline: true })).toBeUndefined();
    expect(checkRequestURL("http://127.0.0.1@api.openai.com/", { offline: true })?.message).toMatch(/api\.openai\.com/);
    expect(checkRequestURL("not a url", { offline: true })).toBeDefined();
  });
});

describe("policy rules deny", () => {
  it("allowProviders", () => {
    expect(checkProvider("openai", { allowProviders: ["ollama"] })?.message).toMatch(/not allowed by policy/);
    expect(checkProvider("ollama", { allowProviders: ["ollama"] })).toBeUndefined();
    expect(checkProvider("openai", {})).toBeUndefined();
  });

  it("denyTools (a group name denies its members)", () => {
    expect(checkTool("bash", { denyTools: ["bash"] })?.rule).toBe("denyTools");
    expect(checkTool("write", { denyTools: ["edit"] })).toBeDefined();
    expect(checkTool("read", { denyTools: ["edit"] })).toBeUndefined();
  });

  it("allowPaths", () => {
    expect(checkPath("/etc/passwd", "/work/ws", {})?.rule).toBe("allowPaths");
    expect(checkPath("../other/x", "/work/ws", {})).toBeDefined();
    expect(checkPath("src/a.ts", "/work/ws", {})).toBeUndefined();
    expect(checkPath("/shared/lib/x.ts", "/work/ws", { allowPaths: ["/shared/lib"] })).toBeUndefined();
    expect(checkPath("/shared/libx/x.ts", "/work/ws", { allowPaths: ["/shared/lib"] })).toBeDefined();
  });

  it("the tool registry denies a denyTools tool and a network tool offline, and audits both", async () => {
    const entries = withAudit();
    let ran = 0;
    const tool = (name: string, network = false): Tool => ({ name, description: name, schema: z.object({}), network, run: async () => (ran++, { status: "completed", output: "ran" }) });
    const registry = new ToolRegistry({ tools: [tool("bash"), tool("webfetch", true), tool("read")], config: { policy: { denyTools: ["bash"], offline: true } } });
    const ctx = { root: "/tmp", signal: new AbortController().signal, files: {} as any, session: new ToolSession("s1") };
    expect(registry.definitions().map((d) => d.name)).toEqual(["webfetch", "read"]);
    expect(await registry.run("bash", {}, ctx)).toMatchObject({ status: "failed", output: expect.stringMatching(/disabled by policy/) });
    expect(await registry.run("webfetch", {}, ctx)).toMatchObject({ status: "failed", output: expect.stringMatching(/offline mode/) });
    expect(await registry.run("read", {}, ctx)).toMatchObject({ status: "completed" });
    expect(ran).toBe(1);
    expect(entries().map((e) => [e.event, e.rule, e.tool])).toEqual([
      ["policy.denied", "denyTools", "bash"],
      ["policy.denied", "offline", "webfetch"],
    ]);
  });
});

describe("offline mode at the request site", () => {
  it("the guard refuses http://10.255.255.1 before the SDK runs: policy error, no socket, no wait", async () => {
    const entries = withAudit();
    const adapter = guardAdapter(await loadAdapter("ollama"), () => ({ offline: true }));
    const started = performance.now();
    const { result, connects } = await countConnects(() =>
      adapter({ provider: "ollama", protocol: "ollama", baseURL: "http://10.255.255.1:11434", model: "m" }, { messages: [{ role: "user", content: "hi" }] }, new AbortController().signal).then(
        () => undefined,
        (error) => error,
      ),
    );
    const ms = performance.now() - started;
    expect(result).toMatchObject({ name: "ProviderError", kind: "policy", message: expect.stringMatching(/offline mode .* 10\.255\.255\.1:11434/) });
    expect(connects).toEqual([]);
    expect(ms).toBeLessThan(200); // a connect attempt to a black-hole address would hang for seconds
    expect(entries()).toEqual([expect.objectContaining({ event: "policy.denied", rule: "offline", provider: "ollama", host: "10.255.255.1:11434" })]);
  });

  it("the spy does see connects: the same guard lets a loopback request through, audited as contacted", async () => {
    const entries = withAudit();
    provider = await startScriptedProvider({ protocol: "ollama", turns: [{ text: "local hello" }] });
    const client = createModelClient({ config: { providers: { ollama: { baseURL: provider.baseURLs.ollama } }, policy: { offline: true, denyTools: [] } } });
    const { result, connects } = await countConnects(() => collect(client.stream("ollama/qwen2.5-coder:7b", { messages: [{ role: "user", content: "hi" }] })));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe("local hello");
    expect(connects.length).toBeGreaterThan(0);
    expect(entries()).toEqual([expect.objectContaining({ event: "provider.contacted", provider: "ollama", host: new URL(provider.baseURLs.ollama).host })]);
  });

  it("the model client refuses a hosted provider offline, and an endpoint list with a remote host", async () => {
    const entries = withAudit();
    const client = createModelClient({
      config: { providers: { ollama: { endpoints: ["http://10.255.255.1:11434"] } }, policy: { offline: true, denyTools: [] } },
      env: { OPENAI_API_KEY: "sk-test-123456789" },
    });
    const { result, connects } = await countConnects(async () => [
      await collect(client.stream("openai/gpt-4o", { messages: [{ role: "user", content: "hi" }] })),
      await collect(client.stream("ollama/qwen2.5-coder:7b", { messages: [{ role: "user", content: "hi" }] })),
    ]);
    for (const r of result) expect(r.error).toMatchObject({ kind: "policy", message: expect.stringMatching(/offline policy/) });
    expect(connects).toEqual([]);
    expect(entries().map((e) => [e.event, e.rule])).toEqual([
      ["policy.denied", "offline"],
      ["policy.denied", "offline"],
    ]);
  });

  it("a request that passed resolution (0.0.0.0 counts as local there) is still refused by the guard", async () => {
    const client = createModelClient({ config: { providers: { ollama: { baseURL: "http://0.0.0.0:9" } }, policy: { offline: true, denyTools: [] } } });
    const { result, connects } = await countConnects(() => collect(client.stream("ollama/m", { messages: [{ role: "user", content: "hi" }] })));
    expect(result.error).toMatchObject({ kind: "policy" });
    expect(connects).toEqual([]);
  });

  it("allowProviders is enforced by the client too", async () => {
    const client = createModelClient({ config: { providers: {}, policy: { offline: false, allowProviders: ["ollama"], denyTools: [] } }, env: { OPENAI_API_KEY: "sk-test-123456789" } });
    const result = await collect(client.stream("openai/gpt-4o", { messages: [{ role: "user", content: "hi" }] }));
    expect(result.error).toMatchObject({ kind: "policy", message: expect.stringMatching(/allowProviders/) });
  });
});

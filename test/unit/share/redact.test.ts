import { describe, expect, it } from "vitest";
import { loadOrCreateShareKey } from "../../../server/share/keys.ts";
import { createShareLink, verifyShareLink } from "../../../server/share/link.ts";
import { describeRedactions, isEnvFile, Redactor, redactTranscript } from "../../../server/share/redact.ts";
import type { Transcript } from "../../../server/share/transcript.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const A = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0";
const one = (text: string, env: NodeJS.ProcessEnv = {}) => {
  const r = new Redactor({ env });
  return { text: r.text(text), counts: r.counts };
};

describe("redaction of each secret kind", () => {
  const cases: [string, string, string][] = [
    ["openai-key", `key sk-proj-${A}`, "key [REDACTED:openai-key]"],
    ["openai-key", `OPENAI=sk-${A}`, "OPENAI=[REDACTED:openai-key]"],
    ["anthropic-key", `"sk-ant-api03-${A}-xyz"`, '"[REDACTED:anthropic-key]"'],
    ["openrouter-key", `sk-or-v1-${A}`, "[REDACTED:openrouter-key]"],
    ["google-key", `AIzaSyD${A.slice(0, 32)}`, "[REDACTED:google-key]"],
    ["github-token", `ghp_${A}`, "[REDACTED:github-token]"],
    ["github-token", `github_pat_11AB${A}`, "[REDACTED:github-token]"],
    ["xai-key", `xai-${A}`, "[REDACTED:xai-key]"],
    ["huggingface-token", `hf_${A}`, "[REDACTED:huggingface-token]"],
    ["groq-key", `gsk_${A}`, "[REDACTED:groq-key]"],
    ["perplexity-key", `pplx-${A}`, "[REDACTED:perplexity-key]"],
    ["fireworks-key", `fw_${A}`, "[REDACTED:fireworks-key]"],
    ["nvidia-key", `nvapi-${A}`, "[REDACTED:nvidia-key]"],
    ["cerebras-key", `csk-${A}`, "[REDACTED:cerebras-key]"],
    ["replicate-token", `r8_${A}`, "[REDACTED:replicate-token]"],
    ["gitlab-token", `glpat-${A}`, "[REDACTED:gitlab-token]"],
    ["npm-token", `npm_${A.slice(0, 36)}`, "[REDACTED:npm-token]"],
    ["slack-token", "xoxb-123456789012-abcdefABCDEF", "[REDACTED:slack-token]"],
    ["stripe-key", `sk_live_${A}`, "[REDACTED:stripe-key]"],
    ["aws-access-key", "id AKIAIOSFODNN7EXAMPLE.", "id [REDACTED:aws-access-key]."],
    ["bearer-token", "curl -H 'Authorization: Bearer abc.def-ghi_jkl123'", "curl -H 'Authorization: Bearer [REDACTED:bearer-token]'"],
    ["basic-auth", "Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED:basic-auth]"],
    ["jwt", "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "token=[REDACTED:jwt]"],
    ["secret-assignment", "DATABASE_PASSWORD=hunter2hunter2", "DATABASE_PASSWORD=[REDACTED:secret-assignment]"],
    ["secret-assignment", 'const config = { apiKey: "0123456789abcdef" };', 'const config = { apiKey: "[REDACTED:secret-assignment]" };'],
  ];
  for (const [kind, input, expected] of cases) {
    it(`${kind}: ${input.slice(0, 30)}`, () => {
      const { text, counts } = one(input);
      expect(text).toBe(expected);
      expect(counts).toEqual({ [kind]: 1 });
    });
  }

  it("private keys, PEM and OpenSSH, also when cut short; inside read-tool output", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----";
    const ssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----";
    const { text, counts } = one(`before\n${pem}\nmiddle\n${ssh}\nafter\n     1\t-----BEGIN PRIVATE KEY-----\n     2\tMIIEvQIBADANBgkqhkiG9w0BAQEFAASC`);
    expect(text).toBe("before\n[REDACTED:private-key]\nmiddle\n[REDACTED:private-key]\nafter\n     1\t[REDACTED:private-key]");
    expect(counts).toEqual({ "private-key": 3 });
    expect(one("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----").counts).toEqual({});
  });

  it("the exact values of secret-looking environment variables and given secrets", () => {
    const r = new Redactor({ env: { MY_SERVICE_TOKEN: "plainvalue-123456", HOME: "/home/someone-long", SHORT_KEY: "abc" }, secrets: ["configured-provider-key-1"] });
    expect(r.text("a plainvalue-123456 b configured-provider-key-1 c /home/someone-long abc")).toBe(
      "a [REDACTED:env-secret] b [REDACTED:env-secret] c /home/someone-long abc",
    );
    expect(r.counts).toEqual({ "env-secret": 2 });
  });

  it("leaves ordinary code and prose alone, and is idempotent", () => {
    const code = 'const token = getToken();\nexport function parseKey(key: string) { return key.split("-"); }\nlet skip = "sk-short";\nBearer of bad news';
    expect(one(code)).toEqual({ text: code, counts: {} });
    const once = one(`sk-${A} and DB_PASSWORD=abcdefgh`).text;
    expect(one(once)).toEqual({ text: once, counts: {} });
  });
});

describe(".env values the session read", () => {
  const transcript: Transcript = {
    version: 1,
    sessionId: "s",
    title: "env",
    model: "openai/gpt-5",
    createdAt: "2026-03-01T09:00:00.000Z",
    messages: [
      { role: "user", content: "why does the app not start?" },
      {
        role: "assistant",
        content: "Reading the env files.",
        toolCalls: [
          { id: "r1", name: "read", input: { path: "app/.env.local" } },
          { id: "b1", name: "bash", input: { command: "cat .env | head" } },
          { id: "w1", name: "write", input: { path: ".env", content: "PORT=8080\nSENTRY_DSN=https://abc@sentry.example/1\n" } },
          { id: "g1", name: "grep", input: { pattern: "PORT" } },
          { id: "r2", name: "read", input: { path: "src/config.ts" } },
        ],
      },
      { role: "tool", toolCallId: "r1", toolName: "read", content: "1\tPORT=3000\n2\t# a comment\n3\tDATABASE_URL=postgres://u:p@db/x\n4\t\n5\texport REGION = \"eu-west-1\"\n\n(5 lines)" },
      { role: "tool", toolCallId: "b1", toolName: "bash", content: `PORT=3000\nOPENAI_API_KEY=sk-${A}` },
      { role: "tool", toolCallId: "w1", toolName: "write", content: "Wrote .env" },
      { role: "tool", toolCallId: "g1", toolName: "grep", content: "prod.env:2:PORT=443\nsrc/server.ts:10:const PORT = 3000;" },
      { role: "tool", toolCallId: "r2", toolName: "read", content: "1\tconst PORT=3000\n2\tURL=http://localhost" },
    ],
    edits: [{ path: ".env", diff: "--- a/.env\n+++ b/.env\n@@ -1,1 +1,2 @@\n PORT=3000\n+SECRET_SAUCE=ketchup\n" }],
  };

  it("values after = are replaced in read results, shell output, writes, grep hits and diffs of .env-like files", () => {
    const { transcript: out, redactions } = redactTranscript(transcript, { env: {} });
    const content = (i: number) => out.messages[i]!.content;
    expect(content(2)).toBe('1\tPORT=[REDACTED:env-value]\n2\t# a comment\n3\tDATABASE_URL=[REDACTED:env-value]\n4\t\n5\texport REGION = [REDACTED:env-value]\n\n(5 lines)');
    expect(content(3)).toBe("PORT=[REDACTED:env-value]\nOPENAI_API_KEY=[REDACTED:openai-key]");
    const call = out.messages[1]!.role === "assistant" ? out.messages[1]!.toolCalls![2]! : undefined;
    expect(call?.input).toEqual({ path: ".env", content: "PORT=[REDACTED:env-value]\nSENTRY_DSN=[REDACTED:env-value]\n" });
    expect(content(5)).toBe("prod.env:2:PORT=[REDACTED:env-value]\nsrc/server.ts:10:const PORT = 3000;");
    expect(content(6)).toBe("1\tconst PORT=3000\n2\tURL=http://localhost"); // not an env file
    expect(out.edits![0]!.diff).toBe("--- a/.env\n+++ b/.env\n@@ -1,1 +1,2 @@\n PORT=[REDACTED:env-value]\n+SECRET_SAUCE=[REDACTED:env-value]\n");
    expect(redactions).toEqual({ "env-value": 9, "openai-key": 1 });
    expect(describeRedactions(redactions)).toBe("10 values redacted (9 env-value, 1 openai-key)");
  });

  it("createShareLink reports the counts and the link carries only markers", () => {
    const key = loadOrCreateShareKey({ path: join(mkdtempSync(join(tmpdir(), "share-key-")), "k.pem") });
    const result = createShareLink(transcript, { key, env: {} });
    expect(result.redactions["env-value"]).toBe(9);
    const text = JSON.stringify(verifyShareLink(result.url).transcript);
    for (const secret of ["postgres://", "ketchup", "eu-west-1", `sk-${A}`, "sentry.example"]) expect(text).not.toContain(secret);
  });

  it("recognizes .env-like names", () => {
    for (const p of [".env", "a/.env.local", "prod.env", ".envrc", "x\\.env.production", ".dev.vars"]) expect(isEnvFile(p), p).toBe(true);
    for (const p of ["env.ts", ".environment", "src/env/index.ts", ".env.ts/x"]) expect(isEnvFile(p), p).toBe(false);
  });
});

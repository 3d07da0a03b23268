// Hostile share links through the built `opencode-lsp share view`: terminal control sequences in
// every field of a transcript must reach the terminal escaped (stdout and stderr), and oversized,
// decompression-bomb and truncated links are refused with their reason.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { afterAll, describe, expect } from "vitest";
import { canonicalJson } from "../../server/share/canonical.ts";
import { createShareLink } from "../../server/share/link.ts";
import type { Transcript } from "../../server/share/transcript.ts";
import { hostileSuite } from "../support/hostile.ts";
import { isolatedEnv, SERVER_BIN } from "../support/lsp-client.ts";

/** What a terminal would act on: C0 controls but newline and tab, DEL, C1 controls, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const OSC = "\u001b]0;pwned-title\u0007";
const CSI = "\u001b[2J\u001b[31m";
const C1_CSI = "\u009b2J";
const DCS = "\u001bP+q544e\u001b\\";

/** `share view LINK`; links longer than an argument may be (128 KiB) go through stdin (`share view -`). */
function view(link: string): { code: number | null; stdout: string; stderr: string } {
  const viaStdin = link.length > 100_000;
  const result = spawnSync(process.execPath, [SERVER_BIN, "share", "view", viaStdin ? "-" : link], {
    env: isolatedEnv(),
    encoding: "utf8",
    timeout: 20_000,
    ...(viaStdin ? { input: link } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const base = (): Transcript => ({
  version: 1,
  sessionId: "s-1",
  title: "a session",
  model: "scripted/model",
  createdAt: "2026-03-01T09:00:00.000Z",
  messages: [
    { role: "user", content: "fix it", at: "2026-03-01T09:00:01.000Z" },
    { role: "assistant", content: "reading", toolCalls: [{ id: "c1", name: "read", input: { path: "a.ts" } }] },
    { role: "tool", toolCallId: "c1", toolName: "read", content: "1: const a = 1;" },
    { role: "assistant", content: "done" },
  ],
  edits: [{ path: "a.ts", diff: "@@ -1 +1 @@\n-const a = 1;\n+const a = 2;\n" }],
});

const fields: [string, (t: Transcript, evil: string) => void][] = [
  ["the title", (t, e) => (t.title = `title ${e}`)],
  ["the model", (t, e) => (t.model = `model${e}`)],
  ["the session id", (t, e) => (t.sessionId = `s${e}`)],
  ["a user message", (t, e) => (t.messages[0]!.content = `please ${e} fix`)],
  ["an assistant message", (t, e) => (t.messages[3]!.content = `done ${e}`)],
  ["a tool call's name", (t, e) => ((t.messages[1] as Extract<Transcript["messages"][number], { role: "assistant" }>).toolCalls![0]!.name = `read${e}`)],
  ["a tool call's input", (t, e) => ((t.messages[1] as Extract<Transcript["messages"][number], { role: "assistant" }>).toolCalls![0]!.input = { path: `a${e}.ts` })],
  ["a tool's output", (t, e) => (t.messages[2]!.content = `1: ${e}`)],
  ["a tool result's tool name", (t, e) => ((t.messages[2] as Extract<Transcript["messages"][number], { role: "tool" }>).toolName = `read${e}`)],
  ["an edit's path", (t, e) => (t.edits![0]!.path = `a${e}.ts`)],
  ["an edit's diff", (t, e) => (t.edits![0]!.diff = `@@ -1 +1 @@\n-a\n+${e}\n`)],
];

function linkOf(t: Transcript): string {
  return createShareLink(t, { sign: false, env: {} }).url;
}

/** An unsigned link around an arbitrary JSON payload (bypassing createShareLink's validation). */
function rawLink(json: Buffer | string): string {
  const payload = deflateRawSync(typeof json === "string" ? Buffer.from(json) : json, { level: 9 }).toString("base64url");
  const hash = createHash("sha256").update(payload, "latin1").digest("base64url");
  return `http://127.0.0.1:7878/#v1.${payload}.-${hash}`;
}

const hostile = hostileSuite("share view");

describe("terminal control sequences in a shared transcript", () => {
  for (const [field, plant] of fields) {
    hostile(`OSC, CSI, C1 and DCS sequences in ${field}`, () => {
      const t = base();
      plant(t, `${OSC}${CSI}${C1_CSI}${DCS}`);
      const out = view(linkOf(t));
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/\^\[|\\u001b/); // shown, escaped
      expect(out.stdout).not.toMatch(RAW_CONTROL);
      expect(out.stderr).not.toMatch(RAW_CONTROL);
    });
  }
  hostile("bidi controls that reorder what is shown (U+202E, U+2067, U+200F, U+061C)", () => {
    const t = base();
    t.messages[0]!.content = "rm -rf \u202e/ fdsa\u202c \u2067x\u2069 \u200f \u061c";
    const out = view(linkOf(t));
    expect(out.code).toBe(0);
    expect(out.stdout).not.toMatch(RAW_CONTROL);
  });
  for (const field of ["createdAt", "at"] as const) {
    hostile(`escape sequences in ${field} (a timestamp): refused by the schema, the reason escaped`, () => {
      const t = base() as unknown as Record<string, any>;
      if (field === "createdAt") t.createdAt = `2026${OSC}`;
      else t.messages[0].at = `2026${OSC}`;
      const out = view(rawLink(canonicalJson(t)));
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/invalid/);
      expect(out.stderr).not.toMatch(RAW_CONTROL);
    });
  }
  hostile("an unknown key holding an escape sequence: the refusal's reason is escaped too", () => {
    const evil = { ...base(), [`x${OSC}`]: 1 };
    const out = view(rawLink(canonicalJson(evil)));
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/unknown key/);
    expect(out.stderr).not.toMatch(RAW_CONTROL);
    expect(out.stdout).toBe("");
  });
});

describe("oversized and truncated links", () => {
  const link = linkOf(base());
  const keyHome = mkdtempSync(join(tmpdir(), "opencode-hostile-share-"));
  const signed = createShareLink(base(), { env: { XDG_CONFIG_HOME: keyHome } }).url;
  afterAll(() => rmSync(keyHome, { recursive: true, force: true }));
  const refused = (url: string, reason: RegExp) => {
    const out = view(url);
    expect(out.code, out.stdout).toBe(1);
    expect(out.stderr).toMatch(reason);
    expect(out.stdout).toBe("");
  };
  hostile("a link over 2 MiB is refused unread", () => refused(`${link}${"A".repeat(2 * 1024 * 1024)}`, /over the 2048\.0 KiB a link may hold/));
  hostile("a long link (1 MiB, over an argument's 128 KiB) still opens through stdin", () => {
    const t = base();
    t.messages[2]!.content = Array.from({ length: 30_000 }, (_, i) => `${i}: ${createHash("sha256").update(String(i)).digest("hex")}`).join("\n");
    const long = createShareLink(t, { sign: false, env: {}, maxFragmentBytes: 4 * 1024 * 1024 }).url;
    expect(long.length).toBeGreaterThan(1024 * 1024);
    const out = view(long);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("more lines");
  });
  hostile("a small link that inflates past 32 MiB is refused", () => refused(rawLink(Buffer.alloc(40 * 1024 * 1024, 0x20)), /inflates past 32 MiB/));
  hostile("a link cut in its payload", () => refused(link.slice(0, link.indexOf("#v1.") + 40), /truncated/));
  hostile("a signed link cut in its signature", () => refused(signed.slice(0, -20), /truncated|cut short/));
  hostile("an unsigned link cut in its hash", () => refused(link.slice(0, -5), /cut short/));
  hostile("a link shown cut short with an ellipsis", () => refused(`${signed.slice(0, -30)}…`, /cut short/));
  hostile("a link cut right after its payload", () => refused(link.slice(0, link.lastIndexOf(".") + 1), /truncated/));
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { renderTranscriptText, sanitizeForTerminal } from "../../../server/share/render-text.ts";
import { serveViewer } from "../../../server/share/serve.ts";
import type { Transcript } from "../../../server/share/transcript.ts";
import { VIEWER_CSP, VIEWER_HTML } from "../../../server/share/viewer-html.ts";
import { makeTranscript } from "../../support/share/transcripts.ts";

const between = (s: string, a: string, b: string) => s.slice(s.indexOf(a) + a.length, s.indexOf(b));
const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;

describe("viewer page", () => {
  const script = between(VIEWER_HTML, "<script>", "</script>");
  const style = between(VIEWER_HTML, "<style>", "</style>");

  it("allows only its own script and style, by hash; nothing else", () => {
    expect(VIEWER_CSP).toContain("default-src 'none'");
    expect(VIEWER_CSP).toContain(`script-src ${sha(script)}`);
    expect(VIEWER_CSP).toContain(`style-src ${sha(style)}`);
    expect(VIEWER_CSP).toContain("connect-src 'none'");
    expect(VIEWER_CSP).toContain("require-trusted-types-for 'script'");
    expect(VIEWER_HTML.indexOf("Content-Security-Policy")).toBeLessThan(VIEWER_HTML.indexOf("<style>"));
  });

  it("its script parses and never uses an HTML sink or eval", () => {
    expect(() => new Function(script)).not.toThrow();
    for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "srcdoc", "fetch(", "XMLHttpRequest"]) {
      expect(script, sink).not.toContain(sink);
    }
    expect(VIEWER_HTML.match(/<script/g)).toHaveLength(1);
    // No external resources: no src/href attributes, no <link>, no @import or url() in the style.
    expect(VIEWER_HTML).not.toMatch(/\s(?:src|href)=|<link|<iframe|<img/);
    expect(style).not.toMatch(/@import|url\(/);
  });
});

describe("serveViewer", () => {
  it("serves the page at / with the CSP header, and nothing else", async () => {
    const server = await serveViewer({ port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("content-security-policy")).toBe(`${VIEWER_CSP}; frame-ancestors 'none'`);
      expect(page.headers.get("referrer-policy")).toBe("no-referrer");
      expect(await page.text()).toBe(VIEWER_HTML);
      expect((await fetch(`${server.url}etc/passwd`)).status).toBe(404);
      expect((await fetch(`${server.url}viewer.js`)).status).toBe(404);
      expect((await fetch(server.url, { method: "POST", body: "x" })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

describe("renderTranscriptText", () => {
  const t: Transcript = {
    ...makeTranscript(12),
    title: "evil \u001b]0;pwned\u0007 title",
    messages: [
      { role: "user", content: "hello \u001b[2J world", at: "2026-03-01T09:00:00.000Z" },
      { role: "assistant", content: "reading", toolCalls: [{ id: "c1", name: "read", input: { path: "a.ts" } }] },
      { role: "tool", toolCallId: "c1", toolName: "read", content: Array.from({ length: 60 }, (_, i) => `line ${i}`).join("\n") },
      { role: "tool", toolCallId: "orphan", toolName: "bash", content: "boom", isError: true },
      { role: "assistant", content: "key [REDACTED:openai-key] removed" },
    ],
  };

  it("prints every message, tool calls with their results, edits; no control characters reach the terminal", () => {
    const text = renderTranscriptText(t, { link: { signed: true, keyId: "0123456789abcdef" } });
    expect(text).toContain("evil ^[]0;pwned^G title");
    expect(text).toContain("hello ^[[2J world");
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).toContain("signed by key 0123456789abcdef");
    expect(text).toContain("▸ read {\"path\":\"a.ts\"}");
    expect(text).toContain("│ line 39");
    expect(text).not.toContain("│ line 40");
    expect(text).toContain("… 20 more lines");
    expect(text).toContain("bash failed");
    expect(text).toContain("1 value redacted by the sharer");
    expect(text).toMatch(/Edits \(\d+\)/);
  });

  it("colours only when asked; unsigned links say so", () => {
    expect(renderTranscriptText(t)).not.toContain("\u001b[");
    const coloured = renderTranscriptText(t, { color: true, link: { signed: false } });
    expect(coloured).toContain("\u001b[32m+");
    expect(coloured).toContain("unsigned link");
  });

  it("sanitizeForTerminal keeps newlines and tabs and escapes bidi overrides", () => {
    expect(sanitizeForTerminal("a\tb\nc\u202ed\u0085")).toBe("a\tb\nc\\u202ed\\u0085");
  });
});

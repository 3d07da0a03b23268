// The share viewer in a real headless Chromium (Debian's, driven by playwright-core), the page served
// by serveViewer on 127.0.0.1: links render, hostile transcripts execute nothing, tampered links are
// refused with their reason and show nothing else.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, haveChromium, launchChromium } from "../../support/chromium.ts";
import { loadOrCreateShareKey, type ShareKey } from "../../../server/share/keys.ts";
import { createShareLink, verifyShareLink } from "../../../server/share/link.ts";
import { serveViewer, type ViewerServer } from "../../../server/share/serve.ts";
import type { Transcript } from "../../../server/share/transcript.ts";
import { makeTranscript } from "../../support/share/transcripts.ts";

if (!haveChromium) console.warn(`share viewer tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveChromium)("share viewer in Chromium", () => {
  let browser: Browser;
  let server: ViewerServer;
  let key: ShareKey;

  beforeAll(async () => {
    key = loadOrCreateShareKey({ path: join(mkdtempSync(join(tmpdir(), "share-key-")), "k.pem") });
    server = await serveViewer({ port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  interface Opened {
    page: Page;
    state: string;
    dialogs: string[];
    errors: string[];
    requests: string[];
  }

  async function open(url: string): Promise<Opened> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(`console: ${m.text()}`);
    });
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForFunction("document.body.dataset.state !== 'loading'", undefined, { timeout: 15_000 });
    const state = (await page.evaluate("document.body.dataset.state")) as string;
    return { page, state, dialogs, errors, requests };
  }
  const js = <T>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
  const link = (t: Transcript, sign = true) => createShareLink(t, { key, sign, env: {}, baseUrl: server.url, maxFragmentBytes: 1_000_000 }).url;

  it("a link renders the expected messages, tool calls collapsible, code highlighted, diffs coloured", async () => {
    const t = makeTranscript(40, 5);
    t.messages.push({ role: "assistant", content: "Use this:\n\n```ts\nconst answer = 42; // the answer\n```\n\nand *carefully* read [the guide](https://example.com/guide)." });
    const { page, state, errors, requests } = await open(link(t));
    expect(state).toBe("ok");
    expect(await js(page, "document.querySelector('h1').textContent")).toBe(t.title);
    expect(await js(page, "document.querySelector('#verification').textContent")).toContain(`Signed by key ${key.keyId}`);
    const toolResults = new Set(t.messages.filter((m) => m.role === "tool").map((m) => (m.role === "tool" ? m.toolCallId : "")));
    const rendered = await js<string[]>(page, "Array.from(document.querySelectorAll('#messages > article'), a => a.dataset.role)");
    // Tool results sit inside their call's <details>; every other message is an article.
    expect(rendered).toEqual(t.messages.filter((m) => m.role !== "tool" || !toolResults.has(m.toolCallId)).map((m) => m.role));
    const firstUser = t.messages.find((m) => m.role === "user")!;
    expect(await js<string>(page, "document.querySelector('article.user .body').textContent")).toBe(firstUser.content.replace(/`/g, "").replace(/\*\*/g, ""));
    const calls = t.messages.flatMap((m) => (m.role === "assistant" ? (m.toolCalls ?? []) : []));
    expect(await js(page, "document.querySelectorAll('details.tool[data-tool]').length")).toBe(calls.length);
    expect(await js(page, "document.querySelector('details.tool[data-tool]').open")).toBe(false);
    expect(await js(page, "document.querySelector('#edits .d-add').textContent")).toMatch(/^\+/);
    expect(await js(page, "document.querySelector('#edits .d-meta').textContent")).toMatch(/^--- a\//);
    const last = "document.querySelector('#messages > article:last-child')";
    expect(await js(page, `${last}.querySelector('pre code .t-k').textContent`)).toBe("const");
    expect(await js(page, `${last}.querySelector('pre code .t-c').textContent`)).toBe("// the answer");
    expect(await js(page, `${last}.querySelector('em').textContent`)).toBe("carefully");
    expect(await js(page, `${last}.querySelector('a').href`)).toBe("https://example.com/guide");
    expect(await js(page, `${last}.querySelector('a').rel`)).toBe("noopener noreferrer nofollow");
    expect(errors).toEqual([]);
    expect(requests).toEqual([link(t).split("#")[0]]); // the page alone: nothing fetched, the fragment never sent
    await page.context().close();
  });

  it("a hostile transcript executes nothing: scripts, event handlers and javascript: links stay text", async () => {
    const evil = [
      "<script>window.__pwned = 'script'</script>",
      '<img src=x onerror="window.__pwned = \'img\'">',
      "<svg onload=\"window.__pwned='svg'\"></svg><iframe src=\"javascript:parent.__pwned='iframe'\"></iframe>",
      "[click me](javascript:window.__pwned='link') [again](JaVaScRiPt:alert(1)) [data](data:text/html,<script>alert(2)</script>)",
      "[ok](https://example.com/\"onmouseover=\"window.__pwned='attr') **<b onclick=alert(3)>bold</b>** `<script>alert(4)</script>`",
      "javascript:alert(5) <a href=\"javascript:alert(6)\">a</a>",
      "```html\n<script>window.__pwned = 'fence'</script>\n```",
    ].join("\n\n");
    const t: Transcript = {
      version: 1,
      sessionId: "<script>window.__pwned='sid'</script>",
      title: "<img src=x onerror=\"window.__pwned='title'\">",
      model: "x/<script>alert(7)</script>",
      createdAt: "2026-03-01T09:00:00.000Z",
      messages: [
        { role: "user", content: evil },
        { role: "assistant", content: evil, toolCalls: [{ id: "c1", name: "<img src=x onerror=alert(8)>", input: { html: "<script>alert(9)</script>" } }] },
        { role: "tool", toolCallId: "c1", toolName: "<script>alert(10)</script>", content: evil },
        { role: "tool", toolCallId: "orphan", toolName: "<img src=x onerror=alert(11)>", content: evil, isError: true },
      ],
      edits: [{ path: "<img src=x onerror=alert(12)>", diff: `--- a/x\n+++ b/x\n@@ -1 +1 @@\n-${evil.split("\n")[0]}\n+${evil.split("\n")[2]}\n` }],
    };
    const { page, state, dialogs, errors, requests } = await open(link(t));
    expect(state).toBe("ok");
    // Open every collapsible and hover/click every link that exists.
    await page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })");
    for (const a of await page.$$("a")) await a.hover();
    await page.waitForTimeout(300);

    expect(await js(page, "typeof window.__pwned")).toBe("undefined");
    expect(dialogs).toEqual([]);
    expect(await js(page, "document.querySelectorAll('script').length")).toBe(1); // the viewer's own
    expect(await js(page, "document.querySelectorAll('img, svg, iframe, object, embed, b, [onerror], [onload], [onclick], [onmouseover]').length")).toBe(0);
    const hrefs = await js<string[]>(page, "Array.from(document.querySelectorAll('a'), a => a.getAttribute('href'))");
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\/example\.com\//);
    // The hostile text is shown as text.
    const body = await js<string>(page, "document.body.textContent");
    expect(body).toContain("<script>window.__pwned = 'script'</script>");
    expect(body).toContain("[click me](javascript:window.__pwned='link')");
    expect(await js(page, "document.title")).toContain("<img src=x");
    expect(errors).toEqual([]); // nothing even tried: no CSP or Trusted Types violation reported
    expect(requests).toHaveLength(1);
    await page.context().close();
  });

  it("a tampered link shows the refusal and nothing else", async () => {
    const good = link(makeTranscript(20, 2));
    const [base, fragment] = good.split("#") as [string, string];
    const [v, payload, sig] = fragment.split(".") as [string, string, string];
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    const cases: [string, RegExp][] = [
      [`${base}#${v}.${flip(payload, 50)}.${sig}`, /signature does not verify/],
      [`${base}#${v}.${payload}.${flip(sig, sig.length - 10)}`, /signature does not verify/],
      [`${base}#${v}.${payload}.${"0123456789abcdef"}${sig.slice(16)}`, /key id 0123456789abcdef does not match the public key/],
      [good.slice(0, good.length - 20), /cut short/],
      [`${base}#${v}.${payload.slice(0, 200)}`, /truncated/],
      [`${base}#v2.${payload}.${sig}`, /link format v2 is not supported/],
      [`${base}#v1.${payload.slice(0, 30)}$$$.${sig}`, /payload is not base64url/],
    ];
    for (const [url, reason] of cases) {
      const { page, state, errors } = await open(url);
      expect(state, url.slice(-30)).toBe("refused");
      expect(await js<string>(page, "document.querySelector('#refusal .reason').textContent")).toMatch(reason);
      expect(await js(page, "document.querySelectorAll('#messages, article, h1').length")).toBe(0);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });

  /** The viewer refuses `url` with the very words verifyShareLink throws. */
  async function expectSameRefusal(url: string, reason?: RegExp): Promise<void> {
    let nodeReason = "";
    try {
      verifyShareLink(url);
    } catch (error) {
      nodeReason = (error as Error).message;
    }
    if (reason) expect(nodeReason).toMatch(reason);
    const { page, state } = await open(url);
    expect(state, url.slice(-40)).toBe("refused");
    expect(await js<string>(page, "document.querySelector('#refusal .reason').textContent"), url.slice(-40)).toBe(nodeReason);
    await page.context().close();
  }

  it("the viewer and verifyShareLink agree on every refusal, word for word", async () => {
    const good = link(makeTranscript(12, 3));
    const [base, fragment] = good.split("#") as [string, string];
    const [, payload, sig] = fragment.split(".") as [string, string, string];
    const [id, pub, signature] = sig.split("~") as [string, string, string];
    const other = loadOrCreateShareKey({ path: join(mkdtempSync(join(tmpdir(), "share-key-")), "k.pem") });
    const bad = [
      `${base}#v3.${payload}.${sig}`,
      `${base}#hello.${payload}`,
      `${base}#v1.${payload}`,
      `${base}#v1.${payload}.${sig}.x`,
      `${base}#v1.${payload}.`,
      `${base}#v1.${payload}.${id}~${pub}`,
      `${base}#v1.${payload}.ABCDEF0123456789~${pub}~${signature}`,
      `${base}#v1.${payload}.${other.keyId}~${pub}~${signature}`,
      `${base}#v1.${payload}.${other.keyId}~${other.publicKey.toString("base64url")}~${signature}`,
      `${base}#v1.${payload}.${id}~${pub.slice(0, 30)}~${signature}`,
      `${base}#v1.${payload}.${id}~${pub}~${signature.slice(0, 60)}`,
      `${base}#v1.${payload}.${id}~${pub}~${signature.slice(0, 85)}*`,
      `${base}#v1.${payload.slice(0, -1)}.${sig}`,
      `${base}#v1.${payload}.-${"A".repeat(43)}`,
      `${base}#v1.${payload}.-abc`,
      `${base}#v1.${payload}.${sig}%ZZ`,
    ];
    for (const url of bad) await expectSameRefusal(url);
  });

  it("a link cut short with an ellipsis is refused as such by both", async () => {
    const [base, fragment] = link(makeTranscript(4, 3)).split("#") as [string, string];
    await expectSameRefusal(`${base}#${fragment.slice(0, -20)}%E2%80%A6`, /cut short/);
    await expectSameRefusal(`${base}#${fragment.slice(0, 60)}...`, /cut short/);
  });

  it("an unsigned link renders marked unsigned; tampered, it is refused", async () => {
    const url = link(makeTranscript(10, 4), false);
    const ok = await open(url);
    expect(ok.state).toBe("ok");
    expect(await js(ok.page, "document.querySelector('#verification').textContent")).toMatch(/^Unsigned link/);
    await ok.page.context().close();
    const [base, fragment] = url.split("#") as [string, string];
    const [v, payload, hash] = fragment.split(".") as [string, string, string];
    const bad = await open(`${base}#${v}.${payload.slice(0, 10)}${payload[10] === "x" ? "y" : "x"}${payload.slice(11)}.${hash}`);
    expect(bad.state).toBe("refused");
    expect(await js(bad.page, "document.querySelector('#refusal .reason').textContent")).toMatch(/does not match its SHA-256 hash/);
    await bad.page.context().close();
  });

  it("with no fragment it offers a box to paste a link, then shows it", async () => {
    const { page, state } = await open(server.url);
    expect(state).toBe("empty");
    await page.fill("input[type=text]", link(makeTranscript(6, 8)));
    await page.click("button");
    await page.waitForFunction("document.body.dataset.state === 'ok'", undefined, { timeout: 15_000 });
    expect(await js(page, "document.querySelectorAll('#messages > article').length")).toBeGreaterThan(0);
    await page.context().close();
  });
});

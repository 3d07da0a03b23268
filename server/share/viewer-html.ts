// The share viewer: ONE static HTML page (inline script and style, no framework, no network) that
// reads `location.hash`, checks the link exactly as link.ts does (version, SHA-256 of the payload,
// ed25519 signature via WebCrypto, deflate-raw via DecompressionStream, schema), and only then renders
// the transcript read-only.
//
// It never executes content: every node is built with createElement/textContent (no innerHTML
// anywhere), links are kept only for http(s) URLs, and the Content-Security-Policy allows just this
// page's own script and style (by SHA-256 hash), no connections, images, frames or forms, and
// requires Trusted Types so an HTML-string sink would throw even if one were added by mistake.
//
// The page lives in this module as a string so the bundle in dist/ carries it with no file lookup.
// The script is plain browser JavaScript in a String.raw literal: it must contain no backtick
// (write \x60) and no dollar-brace, nor a closing script tag.
import { createHash } from "node:crypto";

const STYLE = String.raw`
:root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --panel: #f6f8fa; --border: #d0d7de;
  --accent: #0969da; --add: #1a7f37; --add-bg: #dafbe1; --del: #cf222e; --del-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --kw: #8250df; --str: #0a3069; --com: #6e7781; --num: #0550ae; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117; --panel: #161b22; --border: #30363d;
  --accent: #4493f8; --add: #3fb950; --add-bg: #12261e; --del: #f85149; --del-bg: #25171c; --warn: #d29922; --warn-bg: #272115;
  --kw: #d2a8ff; --str: #a5d6ff; --com: #8b949e; --num: #79c0ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 16px 64px; }
h1 { font-size: 1.5em; margin: 0 0 4px; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: 0.9em; overflow-wrap: anywhere; }
.banner { margin: 12px 0; padding: 8px 12px; border-radius: 6px; border: 1px solid var(--border); background: var(--panel); }
.banner.unsigned, .banner.warn { background: var(--warn-bg); color: var(--warn); }
.refusal { margin: 24px 0; padding: 16px; border-radius: 6px; border: 1px solid var(--del); background: var(--del-bg); color: var(--del); }
.refusal h2 { margin: 0 0 8px; font-size: 1.15em; }
.msg { margin: 16px 0; padding: 12px 16px; border: 1px solid var(--border); border-radius: 8px; }
.msg.user { background: var(--panel); }
.role { font-weight: 600; font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.role time { font-weight: 400; text-transform: none; margin-left: 8px; }
.body p { margin: 8px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.body li { white-space: pre-wrap; overflow-wrap: anywhere; }
.body blockquote { margin: 8px 0; padding-left: 12px; border-left: 3px solid var(--border); color: var(--muted); }
a { color: var(--accent); }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); padding: 1px 4px; border-radius: 4px; }
pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); border: 1px solid var(--border);
  border-radius: 6px; padding: 8px 12px; overflow-x: auto; white-space: pre; margin: 8px 0; }
pre code { background: none; padding: 0; font: inherit; }
details.tool { margin: 8px 0; border: 1px solid var(--border); border-radius: 6px; }
details.tool > summary { cursor: pointer; padding: 6px 10px; list-style-position: inside; overflow-wrap: anywhere; }
details.tool > summary code { font-size: 0.85em; }
details.tool > .inner { padding: 0 10px 8px; }
.label { font-size: 0.8em; color: var(--muted); margin-top: 6px; }
.status-ok { color: var(--add); } .status-failed { color: var(--del); }
.d-add { color: var(--add); background: var(--add-bg); display: inline-block; min-width: 100%; }
.d-del { color: var(--del); background: var(--del-bg); display: inline-block; min-width: 100%; }
.d-hunk { color: var(--accent); } .d-meta { font-weight: 600; }
.t-k { color: var(--kw); } .t-s { color: var(--str); } .t-c { color: var(--com); font-style: italic; } .t-n { color: var(--num); }
.edits h2 { font-size: 1.2em; margin-top: 32px; }
form { display: flex; gap: 8px; margin: 16px 0; } input[type=text] { flex: 1; font: inherit; padding: 6px 8px; }
`;

const SCRIPT = String.raw`
"use strict";
(() => {
  const MAX_JSON = 32 * 1024 * 1024;
  const MAX_LINK = 2 * 1024 * 1024;
  const B64URL = /^[A-Za-z0-9_-]+$/;
  const app = document.getElementById("app");

  class Refusal extends Error {}
  const refuse = (message) => { throw new Refusal(message); };

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  function b64urlToBytes(text, what, expected) {
    if (!B64URL.test(text)) refuse("the " + what + " is not base64url");
    let b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    let bin;
    try { bin = atob(b64); } catch { refuse("the " + what + " is not base64url"); }
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    if (expected !== undefined && out.length !== expected) {
      refuse("the " + what + " is " + out.length + " bytes, expected " + expected + (out.length < expected ? ": the link was cut short" : ""));
    }
    return out;
  }
  function bytesToB64url(bytes) {
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  async function inflate(bytes) {
    const chunks = [];
    let total = 0;
    try {
      const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (total > MAX_JSON) { reader.cancel().catch(() => {}); refuse("the transcript inflates past 32 MiB"); }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof Refusal) throw error;
      refuse("the payload does not decompress");
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.length; }
    return out;
  }

  // ---- the checks: the same as link.ts verifyShareLink, in the same order ----
  async function verify(rawFragment) {
    if (rawFragment.length > MAX_LINK) refuse("the link is too long");
    let fragment = rawFragment.trim();
    if (fragment.includes("%")) {
      try { fragment = decodeURIComponent(fragment); } catch { refuse("the link holds a broken %-escape"); }
    }
    if (fragment === "") return null;
    const parts = fragment.split(".");
    const version = parts[0];
    if (!/^v\d+$/.test(version)) refuse("not a share link: it does not start with a format version (v1.)");
    if (version !== "v1") refuse("link format " + version + " is not supported (only v1 is)");
    if (parts.length < 3 || parts[1] === "") refuse("the link is truncated: its signature part is missing");
    if (parts.length > 3) refuse("the link has " + parts.length + " dot-separated parts, expected 3");
    const payload = parts[1];
    const sig = parts[2];
    if (!B64URL.test(payload)) refuse("the payload is not base64url");
    if (sig === "") refuse("the link is truncated: its signature part is empty");
    if (!globalThis.crypto || !crypto.subtle) refuse("this page is not a secure context, so it cannot check the link: open it over https or from 127.0.0.1");
    const hash = bytesToB64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(payload))));

    let keyId = null;
    if (sig.startsWith("-")) {
      const claimed = sig.slice(1);
      b64urlToBytes(claimed, "integrity hash", 32);
      if (claimed !== hash) refuse("the payload does not match its SHA-256 hash: the link was altered or damaged");
    } else {
      const fields = sig.split("~");
      if (fields.length !== 3) refuse("the signature part has " + fields.length + " ~-separated fields, expected 3 (key id, public key, signature)");
      const [id, pubText, sigText] = fields;
      if (!/^[0-9a-f]{16}$/.test(id)) refuse("the key id is not 16 hex digits");
      const pub = b64urlToBytes(pubText, "public key", 32);
      const signature = b64urlToBytes(sigText, "signature", 64);
      const pubHash = new Uint8Array(await crypto.subtle.digest("SHA-256", pub));
      if (hex(pubHash.slice(0, 8)) !== id) refuse("the key id " + id + " does not match the public key the link carries");
      let key;
      try {
        key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
      } catch {
        refuse("this browser cannot check ed25519 signatures (WebCrypto Ed25519 is missing)");
      }
      const message = new TextEncoder().encode("opencode-lsp share v1\n" + id + "\n" + hash);
      let ok = false;
      try { ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message); } catch { ok = false; }
      if (!ok) refuse("the signature does not verify: the link was altered after it was signed");
      keyId = id;
    }

    const json = await inflate(b64urlToBytes(payload, "payload"));
    let raw;
    try { raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json)); } catch { refuse("the payload is not UTF-8 JSON"); }
    validate(raw);
    return { transcript: raw, keyId };
  }

  // The schema of transcript.ts, by hand.
  function validate(t) {
    const bad = (path, what) => refuse("the transcript is invalid: " + path + ": " + what);
    const isObj = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
    const keys = (o, path, allowed) => { for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(path, "unknown key " + k); };
    const str = (o, k, path, optional) => {
      if (optional && o[k] === undefined) return;
      if (typeof o[k] !== "string") bad(path + k, "expected string");
    };
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    const time = (o, k, path, optional) => {
      str(o, k, path, optional);
      if (o[k] !== undefined && !ISO.test(o[k])) bad(path + k, "expected an ISO date-time");
    };
    if (!isObj(t)) bad("(root)", "expected object");
    keys(t, "(root)", ["version", "sessionId", "title", "model", "createdAt", "messages", "edits"]);
    if (t.version !== 1) bad("version", "expected 1");
    str(t, "sessionId", ""); str(t, "title", ""); str(t, "model", ""); time(t, "createdAt", "");
    if (!Array.isArray(t.messages)) bad("messages", "expected array");
    t.messages.forEach((m, i) => {
      const p = "messages." + i + ".";
      if (!isObj(m)) bad("messages." + i, "expected object");
      time(m, "at", p, true);
      str(m, "content", p);
      if (m.role === "user") keys(m, "messages." + i, ["role", "content", "at"]);
      else if (m.role === "assistant") {
        keys(m, "messages." + i, ["role", "content", "toolCalls", "at"]);
        if (m.toolCalls !== undefined) {
          if (!Array.isArray(m.toolCalls)) bad(p + "toolCalls", "expected array");
          m.toolCalls.forEach((c, j) => {
            const q = p + "toolCalls." + j + ".";
            if (!isObj(c)) bad(q.slice(0, -1), "expected object");
            keys(c, q.slice(0, -1), ["id", "name", "input"]);
            str(c, "id", q); str(c, "name", q);
            if (!isObj(c.input)) bad(q + "input", "expected object");
          });
        }
      } else if (m.role === "tool") {
        keys(m, "messages." + i, ["role", "toolCallId", "toolName", "content", "isError", "at"]);
        str(m, "toolCallId", p); str(m, "toolName", p);
        if (m.isError !== undefined && typeof m.isError !== "boolean") bad(p + "isError", "expected boolean");
      } else bad("messages." + i, "not a user, assistant or tool message");
    });
    if (t.edits !== undefined) {
      if (!Array.isArray(t.edits)) bad("edits", "expected array");
      t.edits.forEach((e, i) => {
        if (!isObj(e)) bad("edits." + i, "expected object");
        keys(e, "edits." + i, ["path", "diff"]);
        str(e, "path", "edits." + i + "."); str(e, "diff", "edits." + i + ".");
      });
    }
  }

  // ---- rendering: DOM nodes and text only ----
  function safeHref(url) {
    try {
      const u = new URL(url);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch { return null; }
  }
  function link(href, label) {
    const a = el("a", null, label);
    a.href = href;
    a.rel = "noopener noreferrer nofollow";
    a.target = "_blank";
    a.referrerPolicy = "no-referrer";
    return a;
  }

  const INLINE = /(\x60+)([^\x60]|[\s\S]*?[^\x60])\1(?!\x60)|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|\*(?=[^\s*])([\s\S]*?[^\s*])\*|(?<![A-Za-z0-9_])_(?=[^\s_])([\s\S]*?[^\s_])_(?![A-Za-z0-9_])|\[([^\]\n]+)\]\(([^()\s]+)\)|(https?:\/\/[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"])/g;
  function inline(text, parent, depth) {
    depth = depth || 0;
    if (depth > 8) { parent.append(text); return; }
    let last = 0;
    INLINE.lastIndex = 0;
    const matches = Array.from(text.matchAll(INLINE));
    for (const m of matches) {
      if (m.index > last) parent.append(text.slice(last, m.index));
      last = m.index + m[0].length;
      if (m[1] !== undefined) {
        let code = m[2];
        if (code.length > 2 && code.startsWith(" ") && code.endsWith(" ")) code = code.slice(1, -1);
        parent.append(el("code", null, code));
      } else if (m[3] !== undefined || m[4] !== undefined) {
        const strong = el("strong");
        inline(m[3] !== undefined ? m[3] : m[4], strong, depth + 1);
        parent.append(strong);
      } else if (m[5] !== undefined || m[6] !== undefined) {
        const em = el("em");
        inline(m[5] !== undefined ? m[5] : m[6], em, depth + 1);
        parent.append(em);
      } else if (m[7] !== undefined) {
        const href = safeHref(m[8]);
        parent.append(href ? link(href, m[7]) : m[0]);
      } else if (m[9] !== undefined) {
        const href = safeHref(m[9]);
        parent.append(href ? link(href, m[9]) : m[9]);
      }
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  function markdown(text, parent) {
    const lines = text.replace(/\r\n?/g, "\n").split("\n");
    let para = [];
    let list = null;
    const flush = () => {
      if (para.length) { const p = el("p"); inline(para.join("\n"), p); parent.append(p); para = []; }
      list = null;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const fence = /^ {0,3}(\x60{3,}|~{3,})[ \t]*([^\s\x60]*)/.exec(line);
      if (fence) {
        flush();
        const close = new RegExp("^ {0,3}" + (fence[1][0] === "~" ? "~" : "\\x60") + "{" + fence[1].length + ",}[ \\t]*$");
        const body = [];
        i++;
        while (i < lines.length && !close.test(lines[i])) body.push(lines[i++]);
        parent.append(codeBlock(body.join("\n"), fence[2]));
        continue;
      }
      const heading = /^(#{1,6})[ \t]+(.*?)[ \t#]*$/.exec(line);
      if (heading) {
        flush();
        const h = el("h" + Math.min(6, heading[1].length + 2));
        inline(heading[2], h);
        parent.append(h);
        continue;
      }
      const item = /^[ \t]*([-*+]|\d{1,9}[.)])[ \t]+(.*)$/.exec(line);
      if (item) {
        const ordered = /\d/.test(item[1]);
        if (para.length) { const keep = list; flush(); list = keep; }
        if (!list || list.ordered !== ordered) {
          list = { ordered, node: el(ordered ? "ol" : "ul") };
          parent.append(list.node);
        }
        const li = el("li");
        inline(item[2], li);
        list.node.append(li);
        continue;
      }
      const quote = /^[ \t]*>[ \t]?(.*)$/.exec(line);
      if (quote) {
        flush();
        const bq = el("blockquote");
        inline(quote[1], bq);
        parent.append(bq);
        continue;
      }
      if (line.trim() === "") { flush(); continue; }
      if (list) list = null;
      para.push(line);
    }
    flush();
  }

  const KEYWORDS = new Set(("abstract as async await break case catch class const continue crate def default defer del delete do elif else " +
    "enum except export extends false final finally fn for from func function go if impl implements import in instanceof interface is " +
    "lambda let loop match mod module mut new nil none None not null of or package pass private protected pub public raise return " +
    "self Self static struct super switch this throw throws trait true True False try type typeof undefined use var void where while with yield").split(" "));
  const HASH_COMMENTS = new Set(["py", "python", "sh", "bash", "zsh", "shell", "console", "rb", "ruby", "yaml", "yml", "toml", "r", "pl", "perl", "dockerfile", "make", "makefile", "ini", "conf", "nix", "elixir", "ex"]);
  const TOKENS_SLASH = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\x60(?:[^\x60\\]|\\[\s\S])*\x60)|(\b\d[\w.]*)|([A-Za-z_$][\w$]*)/g;
  const TOKENS_HASH = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(\b\d[\w.]*)|([A-Za-z_$][\w$]*)/g;

  function highlight(code, lang, parent) {
    lang = (lang || "").toLowerCase();
    if (lang === "diff" || lang === "patch") return diffLines(code, parent);
    if (code.length > 200000) { parent.append(code); return; }
    const re = HASH_COMMENTS.has(lang) ? TOKENS_HASH : TOKENS_SLASH;
    let last = 0;
    for (const m of code.matchAll(re)) {
      if (m[4] !== undefined && !KEYWORDS.has(m[4])) continue;
      if (m.index > last) parent.append(code.slice(last, m.index));
      last = m.index + m[0].length;
      const cls = m[1] !== undefined ? "t-c" : m[2] !== undefined ? "t-s" : m[3] !== undefined ? "t-n" : "t-k";
      parent.append(el("span", cls, m[0]));
    }
    if (last < code.length) parent.append(code.slice(last));
  }
  function codeBlock(code, lang) {
    const pre = el("pre");
    const c = el("code");
    if (lang && /^[\w+#.-]+$/.test(lang)) c.className = "lang-" + lang;
    highlight(code, lang, c);
    pre.append(c);
    return pre;
  }
  function diffLines(text, parent) {
    const lines = text.replace(/\n$/, "").split("\n");
    lines.forEach((line, i) => {
      const cls = /^(\+\+\+|---)( |$)/.test(line) ? "d-meta" : line.startsWith("+") ? "d-add" : line.startsWith("-") ? "d-del" : line.startsWith("@@") ? "d-hunk" : null;
      parent.append(cls ? el("span", cls, line) : line);
      if (i < lines.length - 1) parent.append("\n");
    });
  }
  const looksLikeDiff = (text) => /^@@ /m.test(text) && /^[+-]/m.test(text);

  function plainBlock(text) {
    const pre = el("pre");
    if (looksLikeDiff(text)) diffLines(text, pre); else pre.append(text);
    return pre;
  }

  function formatTime(iso) {
    const d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString();
  }
  function roleHeader(label, at) {
    const h = el("div", "role", label);
    if (at) { const t = el("time", null, formatTime(at)); t.dateTime = at; h.append(t); }
    return h;
  }
  function shortInput(input) {
    const flat = JSON.stringify(input).replace(/\s+/g, " ");
    return flat.length > 120 ? flat.slice(0, 119) + "\u2026" : flat;
  }
  function toolResult(result, parent) {
    const label = el("div", "label");
    label.append("result ");
    label.append(el("span", result.isError ? "status-failed" : "status-ok", result.isError ? "failed" : "ok"));
    parent.append(label, plainBlock(result.content));
  }
  function countMarkers(t) {
    const re = /\[REDACTED:[a-z0-9-]+\]/g;
    let n = (t.title.match(re) || []).length;
    for (const m of t.messages) {
      n += (m.content.match(re) || []).length;
      for (const c of m.toolCalls || []) n += (JSON.stringify(c.input).match(re) || []).length;
    }
    for (const e of t.edits || []) n += (e.diff.match(re) || []).length;
    return n;
  }

  function render(t, keyId) {
    document.title = (t.title || "Shared session") + " \u00b7 opencode-lsp";
    const frag = document.createDocumentFragment();
    frag.append(el("h1", null, t.title || "(untitled session)"));
    frag.append(el("div", "meta", "model " + t.model + " \u00b7 session " + t.sessionId + " \u00b7 created " + formatTime(t.createdAt) + " \u00b7 " + t.messages.length + " messages"));
    const banner = el("div", "banner " + (keyId ? "signed" : "unsigned"));
    banner.id = "verification";
    if (keyId) {
      banner.append("Signed by key ");
      banner.append(el("code", "key-id", keyId));
      banner.append(": the signature verifies. Compare this key id with the one the sharer gives you.");
    } else {
      banner.append("Unsigned link: its integrity hash checks, but who made it is unknown.");
    }
    frag.append(banner);
    const redacted = countMarkers(t);
    if (redacted) frag.append(el("div", "banner warn", redacted + " value" + (redacted === 1 ? " was" : "s were") + " redacted by the sharer."));

    const results = new Map();
    for (const m of t.messages) if (m.role === "tool") results.set(m.toolCallId, m);
    const shown = new Set();
    const list = el("section", "messages");
    list.id = "messages";
    for (const m of t.messages) {
      if (m.role === "tool" && shown.has(m.toolCallId)) continue;
      const art = el("article", "msg " + m.role);
      art.dataset.role = m.role;
      if (m.role === "tool") {
        art.append(roleHeader("tool \u00b7 " + m.toolName, m.at));
        const d = el("details", "tool");
        d.append(el("summary", null, m.toolName + (m.isError ? " (failed)" : "")));
        const inner = el("div", "inner");
        toolResult(m, inner);
        d.append(inner);
        art.append(d);
      } else {
        art.append(roleHeader(m.role, m.at));
        const body = el("div", "body");
        markdown(m.content, body);
        art.append(body);
        for (const call of m.toolCalls || []) {
          const d = el("details", "tool");
          d.dataset.tool = call.name;
          const summary = el("summary");
          summary.append(el("strong", null, call.name), " ", el("code", null, shortInput(call.input)));
          d.append(summary);
          const inner = el("div", "inner");
          inner.append(el("div", "label", "input"));
          const pre = el("pre");
          pre.append(JSON.stringify(call.input, null, 2));
          inner.append(pre);
          const result = results.get(call.id);
          if (result) { toolResult(result, inner); shown.add(call.id); }
          d.append(inner);
          art.append(d);
        }
      }
      list.append(art);
    }
    frag.append(list);

    if (t.edits && t.edits.length) {
      const sec = el("section", "edits");
      sec.id = "edits";
      sec.append(el("h2", null, "Edits (" + t.edits.length + ")"));
      for (const e of t.edits) {
        const d = el("details", "tool");
        d.open = true;
        d.append(el("summary", null, e.path));
        const inner = el("div", "inner");
        const pre = el("pre", "diff");
        diffLines(e.diff, pre);
        inner.append(pre);
        d.append(inner);
        sec.append(d);
      }
      frag.append(sec);
    }
    app.replaceChildren(frag);
  }

  function showEmpty() {
    document.title = "opencode-lsp share viewer";
    const frag = document.createDocumentFragment();
    frag.append(el("h1", null, "opencode-lsp share viewer"));
    frag.append(el("p", null, "This page shows a shared opencode-lsp session. The transcript travels in the link itself, after the #, and never reaches a server. Paste a share link:"));
    const form = el("form");
    const input = el("input");
    input.type = "text";
    input.placeholder = "https://\u2026#v1.\u2026";
    input.setAttribute("aria-label", "share link");
    const button = el("button", null, "Open");
    button.type = "submit";
    form.append(input, button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      const i = text.indexOf("#");
      location.hash = i >= 0 ? text.slice(i + 1) : text;
    });
    frag.append(form);
    app.replaceChildren(frag);
  }

  function showRefusal(reason) {
    document.title = "Link refused \u00b7 opencode-lsp";
    const box = el("div", "refusal");
    box.id = "refusal";
    box.setAttribute("role", "alert");
    box.append(el("h2", null, "This link was refused"));
    box.append(el("p", "reason", reason));
    box.append(el("p", null, "Nothing from it is shown. Ask the sharer for the link again."));
    app.replaceChildren(box);
  }

  let generation = 0;
  async function load() {
    const mine = ++generation;
    document.body.dataset.state = "loading";
    app.replaceChildren(el("p", "meta", "Checking the link\u2026"));
    try {
      const result = await verify(location.hash.replace(/^#/, ""));
      if (mine !== generation) return;
      if (!result) { showEmpty(); document.body.dataset.state = "empty"; return; }
      render(result.transcript, result.keyId);
      document.body.dataset.state = "ok";
    } catch (error) {
      if (mine !== generation) return;
      showRefusal(error instanceof Refusal ? error.message : "the link could not be read (" + String(error && error.message || error) + ")");
      document.body.dataset.state = "refused";
    }
  }
  addEventListener("hashchange", load);
  load();
})();
`;

const hashOf = (text: string): string => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The page's Content-Security-Policy (also sent as a header by serveViewer). */
export const VIEWER_CSP = [
  "default-src 'none'",
  `script-src ${hashOf(SCRIPT)}`,
  `style-src ${hashOf(STYLE)}`,
  "img-src 'none'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

/** Directives only an HTTP header can carry (ignored in a meta tag). */
export const VIEWER_CSP_HEADER = `${VIEWER_CSP}; frame-ancestors 'none'`;

export const VIEWER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${VIEWER_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>opencode-lsp share viewer</title>
<style>${STYLE}</style>
</head>
<body data-state="loading">
<main id="app"><p>Checking the link…</p></main>
<noscript>This viewer needs JavaScript to check and decode the link.</noscript>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** The static viewer page, to serve or to save and host anywhere (`share.baseUrl`). */
export function viewerHtml(): string {
  return VIEWER_HTML;
}

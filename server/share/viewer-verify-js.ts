// The share viewer's script, first part: decoding and checking a link in the browser exactly as
// link.ts verifyShareLink does (version, SHA-256 of the payload, ed25519 via WebCrypto,
// deflate-raw via DecompressionStream, the schema by hand). viewer-html.ts puts it and
// viewer-render-js.ts into one function scope: names defined here (el, refuse, Refusal, app,
// verify) are used there.
// The script is plain browser JavaScript in a String.raw literal: it must contain no backtick
// (write \x60) and no dollar-brace, nor a closing script tag.
export const VERIFY_JS = String.raw`
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
    let fragment = rawFragment;
    if (fragment.includes("%")) {
      try { fragment = decodeURIComponent(fragment); } catch { refuse("the link holds a broken %-escape"); }
    }
    fragment = fragment.replace(/\s+/g, "");
    if (/(\u2026|\.\.\.)$/.test(fragment)) refuse("the link ends with an ellipsis: it was cut short where it was copied from; copy the whole link");
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

`;

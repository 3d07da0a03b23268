// The share viewer's script, second part: rendering a checked transcript with DOM nodes and text
// only (no HTML strings), a small Markdown subset and code highlighting, and the page's life cycle
// (load on hashchange). Shares one function scope with viewer-verify-js.ts (see viewer-html.ts).
// The script is plain browser JavaScript in a String.raw literal: it must contain no backtick
// (write \x60) and no dollar-brace, nor a closing script tag.
export const RENDER_JS = String.raw`
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
`;

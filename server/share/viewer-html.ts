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
// The page lives in these modules as strings so the bundle in dist/ carries it with no file lookup.
// Its script is one function scope made of two parts: viewer-verify-js.ts (decode and check the
// link) and viewer-render-js.ts (render it, and the page's life cycle).
import { createHash } from "node:crypto";
import { RENDER_JS } from "./viewer-render-js.ts";
import { VERIFY_JS } from "./viewer-verify-js.ts";

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

const SCRIPT = `"use strict";
(() => {
${VERIFY_JS}
${RENDER_JS}
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

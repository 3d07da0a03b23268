// The dashboard page's HTML and style. No inline script or style: the Content-Security-Policy lets
// the page load only its own files from 127.0.0.1 (script, style, the usage JSON) — no CDN, nothing
// from anywhere else, so it works offline and cannot send the figures elsewhere.

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const select = (id: string, title: string, all = "all") => `<label>${title} <select id="f-${id}" name="${id}"><option value="">${all}</option></select></label>`;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenCode usage</title>
<link rel="stylesheet" href="/uplot.css">
<link rel="stylesheet" href="/dashboard.css">
</head>
<body data-state="loading">
<main>
<header>
<h1>OpenCode usage</h1>
<p class="meta" id="meta">Loading…</p>
</header>
<form id="filters" aria-label="Filters">
${select("segment", "Segment")}
${select("region", "Region")}
${select("provider", "Provider")}
${select("model", "Model")}
<label>Heatmaps count <select id="f-measure" name="measure"><option value="">turns</option><option value="sessions">sessions</option><option value="tokens">tokens</option></select></label>
</form>
<p id="problem" class="problem" hidden></p>
<section id="totals" class="totals" aria-label="Totals"></section>
<section>
<h2>Growth</h2>
<div id="growth-activity" class="chart"></div>
<div id="growth-tokens" class="chart"></div>
</section>
<section class="heat">
<h2 id="heat-week-title">By hour and weekday</h2>
<div id="heat-week"></div>
<h2 id="heat-region-title">By region and hour (UTC)</h2>
<div id="heat-region"></div>
</section>
<section>
<h2>By segment, provider and model</h2>
<div class="scroll"><table id="usage-table"><thead></thead><tbody></tbody><tfoot></tfoot></table></div>
<div class="split">
<table id="tools-table"><thead><tr><th>Tool</th><th>Completed</th><th>Failed</th></tr></thead><tbody></tbody></table>
<table id="errors-table"><thead><tr><th>Error kind</th><th>Turns</th></tr></thead><tbody></tbody></table>
</div>
</section>
<footer class="meta">Served on 127.0.0.1 from the local usage store. Prometheus text: <a href="/metrics">/metrics</a>.</footer>
</main>
<script src="/uplot.js"></script>
<script src="/dashboard.js"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #656d76; --bg: #ffffff; --panel: #f6f8fa; --border: #d0d7de; --accent: #0969da; --bad: #cf222e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117; --panel: #161b22; --border: #30363d; --accent: #4493f8; --bad: #f85149; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 16px 48px; }
h1 { font-size: 1.5em; margin: 0; } h2 { font-size: 1.1em; margin: 24px 0 8px; }
.meta { color: var(--muted); margin: 4px 0; }
form { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 10px 12px; background: var(--panel); border: 1px solid var(--border); border-radius: 6px; }
select { font: inherit; margin-left: 4px; }
.problem { color: var(--bad); border: 1px solid var(--bad); border-radius: 6px; padding: 8px 12px; }
.totals { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 8px; }
.total { border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px; }
.total output { display: block; font-size: 1.5em; font-weight: 600; }
.total span { color: var(--muted); font-size: 0.85em; }
.chart { margin: 8px 0 16px; }
.heat svg { display: block; max-width: 100%; height: auto; }
.heat text { fill: var(--muted); font-size: 10px; }
.heat rect.empty { fill: var(--panel); }
.heat rect.cell { fill: var(--accent); }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--border); text-align: right; white-space: nowrap; }
th:nth-child(-n+3), td:nth-child(-n+3) { text-align: left; }
#tools-table th, #tools-table td, #errors-table th, #errors-table td { text-align: right; }
#tools-table :is(th, td):first-child, #errors-table :is(th, td):first-child { text-align: left; }
tfoot td { font-weight: 600; }
.scroll { overflow-x: auto; }
.split { display: flex; flex-wrap: wrap; gap: 24px; }
a { color: var(--accent); }
`;

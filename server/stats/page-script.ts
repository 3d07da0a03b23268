// The dashboard page's script (plain browser JavaScript, served as /dashboard.js). It asks
// /api/usage for the UsageView (aggregate.ts: every figure is computed there, once) with the chosen
// filters and the browser's time zone, then draws it: uPlot for the growth charts, SVG for the two
// heatmaps, tables for the same numbers. Nodes are built with createElement/textContent only.
// A String.raw literal: the script must contain no backtick and no dollar-brace.

export const DASHBOARD_SCRIPT = String.raw`
"use strict";
(() => {
  const FILTERS = ["segment", "region", "provider", "model"];
  const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  const SVG = "http://www.w3.org/2000/svg";
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const $ = (selector) => document.querySelector(selector);
  let charts = [];

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  // Filters live in the query string, so a view can be bookmarked.
  const query = new URLSearchParams(location.search);
  for (const name of FILTERS.concat(["measure"])) {
    const select = $("#f-" + name);
    if (query.get(name)) {
      if (![...select.options].some((o) => o.value === query.get(name))) select.append(el("option", query.get(name), { value: query.get(name) }));
      select.value = query.get(name);
    }
    select.addEventListener("change", () => void load());
  }

  async function load() {
    document.body.dataset.state = "loading";
    const params = new URLSearchParams();
    for (const name of FILTERS.concat(["measure"])) if ($("#f-" + name).value) params.set(name, $("#f-" + name).value);
    history.replaceState(null, "", params.size ? "?" + params : location.pathname);
    params.set("tz", timeZone);
    try {
      const response = await fetch("/api/usage?" + params, { cache: "no-store" });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || response.statusText);
      render(body.view, body.columns);
      document.body.dataset.state = body.view.since ? "ok" : "empty";
    } catch (error) {
      $("#problem").hidden = false;
      $("#problem").textContent = "Could not load the usage figures: " + error.message;
      document.body.dataset.state = "error";
    }
  }

  function render(view, columns) {
    $("#problem").hidden = true;
    $("#meta").textContent = view.since ? "Counted since " + view.since + " · updated " + view.updatedAt + " · days and weekdays in " + view.timeZone : "No usage counted yet.";
    for (const name of FILTERS) fillSelect($("#f-" + name), view.options[name], view.filters[name] || "");
    renderTotals(view.totals);
    renderGrowth(view.daily);
    const measure = view.measure;
    $("#heat-week-title").textContent = cap(measure) + " by hour and weekday (" + view.timeZone + ")";
    $("#heat-region-title").textContent = cap(measure) + " by region and hour (UTC)";
    heatmap($("#heat-week"), WEEKDAYS, view.heatmap.cells, measure, "weekday");
    heatmap($("#heat-region"), view.regions.names, view.regions.cells, measure, "region");
    renderTable(view, columns);
  }

  function fillSelect(select, values, current) {
    const keep = current || select.value;
    select.replaceChildren(el("option", "all", { value: "" }), ...values.map((v) => el("option", v, { value: v })));
    if (keep && !values.includes(keep)) select.append(el("option", keep, { value: keep }));
    select.value = keep;
  }

  function renderTotals(t) {
    const items = [["sessions", "sessions"], ["turns", "turns"], ["inputTokens", "input tokens"], ["outputTokens", "output tokens"], ["toolCalls", "tool calls"], ["editsApplied", "edits"], ["editsReverted", "edits reverted"], ["errors", "errors"]];
    $("#totals").replaceChildren(...items.map(([key, name]) => {
      const box = el("div", undefined, { class: "total" });
      box.append(el("output", t[key], { "data-total": key }), el("span", name));
      return box;
    }));
  }

  function renderGrowth(daily) {
    for (const chart of charts) chart.destroy();
    charts = [];
    const xs = daily.days.map((d) => Date.parse(d + "T00:00:00Z") / 1000);
    const first = xs[0] || 0, last = xs[xs.length - 1] || 0;
    const width = Math.max(320, $("#growth-activity").parentElement.clientWidth);
    const value = (u, v) => (v == null ? "–" : String(Math.round(v * 100) / 100));
    const line = (label, stroke, dash) => ({ label, stroke, width: dash ? 1.5 : 2, dash, value, points: { show: !dash } });
    // Days on the x axis (never hours), as MM-DD.
    const days = { space: 50, incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400], values: (u, splits) => splits.map((s) => new Date(s * 1000).toISOString().slice(5, 10)) };
    const common = { width, height: 240, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "UTC"), scales: { x: { time: true, range: () => (first === last ? [first - 3 * 86400, last + 3 * 86400] : [first, last]) }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } }, axes: [days, {}], cursor: { drag: { x: false, y: false } } };
    charts.push(new uPlot({ ...common, title: "Sessions and turns per day (dashed: 7-day mean)",
      series: [{ label: "day", value: "{YYYY}-{MM}-{DD}" }, line("sessions", "#0969da"), line("sessions, 7-day mean", "#0969da", [6, 4]), line("turns", "#8250df"), line("turns, 7-day mean", "#8250df", [6, 4])] },
      [xs, daily.sessions, daily.rolling.sessions, daily.turns, daily.rolling.turns], $("#growth-activity")));
    charts.push(new uPlot({ ...common, title: "Tokens per day, input + output (dashed: 7-day mean)",
      series: [{ label: "day", value: "{YYYY}-{MM}-{DD}" }, line("tokens", "#1a7f37"), line("tokens, 7-day mean", "#1a7f37", [6, 4])] },
      [xs, daily.tokens, daily.rolling.tokens], $("#growth-tokens")));
  }

  function heatmap(box, rowNames, cells, measure, kind) {
    const cw = 26, ch = 20, left = 84, top = 18;
    const max = Math.max(0, ...cells.flat());
    const chart = svg("svg", { viewBox: "0 0 " + (left + 24 * cw) + " " + (top + Math.max(1, rowNames.length) * ch), width: left + 24 * cw, "data-kind": kind, role: "img" });
    for (let h = 0; h < 24; h += 3) chart.append(svg("text", { x: left + h * cw + 2, y: 12 }, String(h).padStart(2, "0")));
    rowNames.forEach((name, r) => {
      chart.append(svg("text", { x: 0, y: top + r * ch + 14 }, name));
      cells[r].forEach((v, h) => {
        const rect = svg("rect", { x: left + h * cw, y: top + r * ch, width: cw - 2, height: ch - 2, rx: 2, class: v > 0 ? "cell" : "empty",
          "data-row": name, "data-hour": h, "data-value": v, "fill-opacity": v > 0 ? (0.15 + 0.85 * v / max).toFixed(3) : 1 });
        rect.append(svg("title", {}, name + " " + String(h).padStart(2, "0") + ":00 — " + v + " " + measure));
        chart.append(rect);
      });
    });
    if (!rowNames.length) chart.append(svg("text", { x: left, y: top + 14 }, "nothing counted"));
    box.replaceChildren(chart);
  }

  function renderTable(view, columns) {
    const head = el("tr");
    for (const h of ["Segment", "Provider", "Model"].concat(columns.map((c) => c.heading))) head.append(el("th", h));
    $("#usage-table thead").replaceChildren(head);
    const row = (first, figures, key) => {
      const tr = el("tr", undefined, key ? { "data-key": key } : {});
      for (const cell of first) tr.append(el("td", cell));
      for (const c of columns) tr.append(el("td", figures[c.key], { "data-column": c.key }));
      return tr;
    };
    $("#usage-table tbody").replaceChildren(...view.table.map((r) => row([r.segment, r.provider, r.model], r, r.segment + "/" + r.provider + "/" + r.model)));
    $("#usage-table tfoot").replaceChildren(row(["total", "", ""], view.totals));
    $("#tools-table tbody").replaceChildren(...view.tools.map((t) => {
      const tr = el("tr", undefined, { "data-tool": t.tool });
      tr.append(el("td", t.tool), el("td", t.completed), el("td", t.failed));
      return tr;
    }));
    $("#errors-table tbody").replaceChildren(...view.errors.map((e) => {
      const tr = el("tr", undefined, { "data-kind": e.kind });
      tr.append(el("td", e.kind), el("td", e.count));
      return tr;
    }));
  }

  function cap(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  void load();
})();
`;

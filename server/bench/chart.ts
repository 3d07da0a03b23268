// The result as an SVG chart: accuracy against latency (one mark per model), and bars per metric
// (EM, ES, token accuracy, identifier F1), one colour per model, in ranking order. Self-contained
// SVG text: no script, no external resource.
import { accuracyScore } from "./selector.ts";
import type { BenchResult, ModelReport } from "./schema.ts";

const PALETTE = ["#2563eb", "#16a34a", "#ea580c", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"];
const W = 820;
const H = 470;
const PLOT = { left: 70, top: 60, width: 320, height: 260 };
const BARS = { left: 470, top: 60, width: 320, height: 260 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (n: number) => n.toFixed(1);

/** Round tick steps (1, 2, 5 × 10^k) for an axis from 0 to max. */
function ticks(max: number, count = 5): number[] {
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
  return out;
}

function axes(box: typeof PLOT, xTicks: { value: string; at: number }[], yMax: number, xLabel: string, yLabel: string): string[] {
  const out: string[] = [`<rect x="${box.left}" y="${box.top}" width="${box.width}" height="${box.height}" fill="#fafafa" stroke="#d4d4d8"/>`];
  for (const v of ticks(yMax, 4)) {
    const y = box.top + box.height - (v / yMax) * box.height;
    out.push(`<line x1="${box.left}" x2="${box.left + box.width}" y1="${f1(y)}" y2="${f1(y)}" stroke="#e4e4e7"/><text x="${box.left - 6}" y="${f1(y + 4)}" text-anchor="end" class="tick">${v}</text>`);
  }
  for (const t of xTicks) out.push(`<text x="${f1(t.at)}" y="${box.top + box.height + 16}" text-anchor="middle" class="tick">${esc(t.value)}</text>`);
  out.push(`<text x="${box.left + box.width / 2}" y="${box.top + box.height + 34}" text-anchor="middle" class="axis">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(${box.left - 44} ${box.top + box.height / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(yLabel)}</text>`);
  return out;
}

function scatter(models: ModelReport[], color: (model: string) => string): string[] {
  const latencies = models.map((m) => m.latency.totalP50).filter((v): v is number => v !== null);
  const xMax = Math.max(1, ...latencies) * 1.15;
  const xTicks = ticks(xMax, 4).map((v) => ({ value: v >= 1000 ? `${v / 1000} s` : `${v} ms`, at: PLOT.left + (v / xMax) * PLOT.width }));
  const out = axes(PLOT, xTicks, 100, "p50 latency (whole answer)", "accuracy (%)");
  const placed: { x0: number; x1: number; y: number }[] = [];
  for (const m of models) {
    const failed = m.latency.totalP50 === null;
    const x = PLOT.left + ((m.latency.totalP50 ?? xMax) / xMax) * PLOT.width;
    const y = PLOT.top + PLOT.height - accuracyScore(m) * PLOT.height;
    const c = color(m.model);
    const label = `${m.model}${failed ? " (failed)" : ""}`;
    // Labels right of their mark (left of it near the right edge), moved up past labels they would cover.
    const right = x > PLOT.left + PLOT.width * 0.6;
    const width = label.length * 6.6;
    const lx = right ? Math.min(x + 10, PLOT.left + PLOT.width - 4) : x + 10;
    const span = right ? { x0: lx - width, x1: lx } : { x0: lx, x1: lx + width };
    let ly = y - 9;
    while (placed.some((p) => Math.abs(p.y - ly) < 14 && p.x0 < span.x1 && span.x0 < p.x1)) ly -= 14;
    placed.push({ ...span, y: ly });
    out.push(
      `<circle class="model-mark" data-model="${esc(m.model)}" cx="${f1(x)}" cy="${f1(y)}" r="7" fill="${failed ? "none" : c}" stroke="${c}" stroke-width="2"><title>${esc(m.model)}: accuracy ${f1(accuracyScore(m) * 100)}%, p50 ${failed ? "n/a" : `${m.latency.totalP50} ms`}</title></circle>`,
      `<text x="${f1(lx)}" y="${f1(ly)}" text-anchor="${right ? "end" : "start"}" class="label">${esc(label)}</text>`,
    );
  }
  return out;
}

const METRICS: [string, (m: ModelReport) => number][] = [
  ["EM", (m) => m.accuracy.exactMatch],
  ["ES", (m) => m.accuracy.editSimilarity],
  ["tokens", (m) => m.accuracy.tokenAccuracy],
  ["ident. F1", (m) => m.accuracy.identifierF1],
];

function bars(models: ModelReport[], color: (model: string) => string): string[] {
  const group = BARS.width / METRICS.length;
  const xTicks = METRICS.map(([name], i) => ({ value: name, at: BARS.left + group * (i + 0.5) }));
  const out = axes(BARS, xTicks, 100, "metric", "score (0–100)");
  const width = Math.max(3, Math.min(18, (group - 12) / Math.max(1, models.length)));
  METRICS.forEach(([name, value], i) => {
    const start = BARS.left + group * (i + 0.5) - (width * models.length) / 2;
    models.forEach((m, j) => {
      const h = (value(m) / 100) * BARS.height;
      out.push(`<rect class="metric-bar" data-model="${esc(m.model)}" data-metric="${esc(name)}" x="${f1(start + j * width)}" y="${f1(BARS.top + BARS.height - h)}" width="${f1(width - 1)}" height="${f1(h)}" fill="${color(m.model)}"><title>${esc(m.model)} ${esc(name)}: ${value(m)}</title></rect>`);
    });
  });
  return out;
}

export function renderChart(result: BenchResult): string {
  const order = result.ranking.map((r) => r.model);
  const models = [...result.models].sort((a, b) => order.indexOf(a.model) - order.indexOf(b.model));
  const color = (model: string) => PALETTE[Math.max(0, order.indexOf(model)) % PALETTE.length]!;
  const legend = result.ranking.map((r, i) => {
    const x = 70 + (i % 2) * 380;
    const y = 400 + Math.floor(i / 2) * 20;
    return `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${color(r.model)}"/><text x="${x + 18}" y="${y}" class="label">${i + 1}. ${esc(r.model)} — score ${r.score.toFixed(3)}</text>`;
  });
  const height = Math.max(H, 400 + Math.ceil(result.ranking.length / 2) * 20 + 10);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui, sans-serif">`,
    "<style>.tick{font-size:11px;fill:#52525b}.axis{font-size:12px;fill:#27272a}.label{font-size:12px;fill:#18181b}.title{font-size:15px;font-weight:600;fill:#18181b}</style>",
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="32" class="title">opencode-lsp bench: ${result.tasks.count} tasks, ${models.length} models (seed ${result.seed})</text>`,
    ...scatter(models, color),
    ...bars(models, color),
    ...legend,
    "</svg>",
  ].join("\n");
}

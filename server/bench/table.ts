// The result as a terminal table: the ranking, best first, with its figures, then one reason line
// per model and the recommendation.
import type { BenchResult } from "./schema.ts";

const ms = (n: number | null) => (n === null ? "-" : `${Math.round(n)}`);

export function bytes(n: number | undefined): string {
  if (n === undefined) return "-";
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  return `${Math.round(n / 1024 ** 2)} MiB`;
}

export function formatTable(result: BenchResult): string {
  const byModel = new Map(result.models.map((m) => [m.model, m]));
  const header = ["#", "MODEL", "SCORE", "EM%", "ES", "TOK%", "IDF1%", "TTFT50", "P50", "P95", "TOK/S", "$/1K", "ERR", "MODEL MEM"];
  const rows = result.ranking.map((r, i) => {
    const m = byModel.get(r.model)!;
    const mem = m.memory.ollama ? `${bytes(m.memory.ollama.sizeBytes)} (${bytes(m.memory.ollama.vramBytes)} VRAM)` : m.memory.server?.residentBytes !== undefined ? bytes(m.memory.server.residentBytes) : "-";
    return [
      String(i + 1),
      r.model,
      r.score.toFixed(3),
      String(r.exactMatch),
      String(r.editSimilarity),
      String(r.tokenAccuracy),
      String(r.identifierF1),
      ms(m.latency.firstTokenP50),
      ms(m.latency.totalP50),
      ms(m.latency.totalP95),
      m.tokensPerSecond === null ? "-" : String(m.tokensPerSecond),
      r.costPerThousandTasks === 0 ? "0" : r.costPerThousandTasks.toFixed(4),
      `${m.errors}/${m.tasks}`,
      mem,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const kinds = Object.entries(result.tasks.byKind).map(([k, n]) => `${n} ${k}`).join(", ");
  const languages = Object.entries(result.tasks.byLanguage).map(([k, n]) => `${n} ${k}`).join(", ");
  return [
    `${result.tasks.count} tasks (${kinds}; ${languages}) from ${result.tasks.candidates} source files, seed ${result.seed}; latency in ms`,
    "",
    line(header),
    ...rows.map(line),
    "",
    ...result.ranking.map((r, i) => `${i + 1}. ${r.model}: ${r.reason}`),
    "",
    result.recommendation ? `Recommended: ${result.recommendation}` : "No model answered: nothing to recommend.",
    `Peak RSS of this run: ${bytes(result.peakRssBytes)}`,
  ].join("\n");
}

// Request latency per method: a count, and percentiles over a window of the latest samples.

const WINDOW = 1024;

export interface LatencySummary {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

class Samples {
  count = 0;
  errors = 0;
  private readonly ring = new Float64Array(WINDOW);

  add(ms: number, ok: boolean): void {
    this.ring[this.count % WINDOW] = ms;
    this.count++;
    if (!ok) this.errors++;
  }

  summary(): LatencySummary {
    const n = Math.min(this.count, WINDOW);
    const sorted = this.ring.slice(0, n).sort();
    const at = (q: number) => (n === 0 ? 0 : round(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!));
    return { count: this.count, errors: this.errors, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export class LatencyTable {
  private readonly byMethod = new Map<string, Samples>();

  record(method: string, ms: number, ok: boolean): void {
    let samples = this.byMethod.get(method);
    if (!samples) this.byMethod.set(method, (samples = new Samples()));
    samples.add(ms, ok);
  }

  summary(): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    for (const [method, samples] of this.byMethod) out[method] = samples.summary();
    return out;
  }

  get total(): number {
    let total = 0;
    for (const samples of this.byMethod.values()) total += samples.count;
    return total;
  }
}

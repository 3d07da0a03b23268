export interface BenchRow {
  /** What was measured, e.g. "spawn → initialize response, opencode-lsp". */
  name: string;
  /** The figure as printed, with its unit: "41.2 ms", "0.31x". */
  value: string;
  /** The target, printed beside the figure: "< 150 ms". */
  target?: string;
}

export interface BenchModule {
  title: string;
  run(): Promise<BenchRow[]>;
}

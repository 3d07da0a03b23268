// The configuration store: the last good value of each source, merged in precedence order.
//
// A source that fails validation keeps its previous good value (at first: nothing), so a typo in
// one file never throws away the rest of the configuration.
import { DEFAULTS } from "./defaults.ts";
import { mergeLayers, type Origins } from "./merge.ts";
import { validateSource, type Config, type ConfigInput, type ConfigIssue } from "./schema.ts";

/** Sources, weakest first (SPEC.md "Configuration"). */
export const SOURCE_ORDER = ["user", "workspace", "initializationOptions", "client"] as const;
export type SourceKind = (typeof SOURCE_ORDER)[number];

interface SourceState {
  label: string;
  value: ConfigInput;
}

export interface UpdateResult {
  issues: ConfigIssue[];
  changed: boolean;
}

export class ConfigStore {
  private readonly sources = new Map<SourceKind, SourceState>();
  private current: Config = structuredClone(DEFAULTS);
  private origins: Origins = new Map();
  private readonly listeners = new Set<(config: Config) => void>();

  constructor() {
    this.recompute();
  }

  get config(): Config {
    return this.current;
  }

  /** Where each leaf of the effective config came from ("defaults" or a source label). */
  originOf(path: string): string {
    return this.origins.get(path) ?? "defaults";
  }

  get allOrigins(): ReadonlyMap<string, string> {
    return this.origins;
  }

  /**
   * Sets one source from raw data; `label` names it in messages (a file path, "initializationOptions").
   * `raw === undefined` removes the source. Invalid data keeps the previous value of that source.
   */
  set(kind: SourceKind, label: string, raw: unknown): UpdateResult {
    if (raw === undefined) {
      const had = this.sources.delete(kind);
      return { issues: [], changed: had && this.recompute() };
    }
    const result = validateSource(label, raw);
    if (!result.ok) return { issues: result.issues, changed: false };
    this.sources.set(kind, { label, value: result.value });
    return { issues: [], changed: this.recompute() };
  }

  /** Called with the new effective config whenever it changes. */
  onChange(listener: (config: Config) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private recompute(): boolean {
    const layers = [{ source: "defaults", value: DEFAULTS as unknown as Record<string, unknown> }];
    for (const kind of SOURCE_ORDER) {
      const state = this.sources.get(kind);
      if (state) layers.push({ source: state.label, value: state.value as Record<string, unknown> });
    }
    const { value, origins } = mergeLayers(layers);
    // Defaults seed the origins too; drop them so originOf() falls back to "defaults".
    for (const [path, source] of origins) if (source === "defaults") origins.delete(path);
    const next = value as unknown as Config;
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.current = next;
    this.origins = origins;
    if (changed) for (const listener of this.listeners) listener(next);
    return changed;
  }
}

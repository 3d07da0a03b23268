// Merging configuration sources: objects merge key by key, anything else (arrays included) is
// replaced by the later source. Alongside the value it records which source set each leaf, so
// `doctor` can say where a value came from.

export type Origins = Map<string, string>;

export interface Layer {
  source: string;
  value: Record<string, unknown>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function mergeLayers(layers: Layer[]): { value: Record<string, unknown>; origins: Origins } {
  const origins: Origins = new Map();
  let value: Record<string, unknown> = {};
  for (const layer of layers) value = mergeInto(value, layer.value, layer.source, "", origins);
  return { value, origins };
}

function mergeInto(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  source: string,
  prefix: string,
  origins: Origins,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, next] of Object.entries(over)) {
    if (next === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const prev = out[key];
    if (isPlainObject(next) && isPlainObject(prev)) {
      out[key] = mergeInto(prev, next, source, path, origins);
    } else {
      for (const known of [...origins.keys()]) if (known === path || known.startsWith(`${path}.`)) origins.delete(known);
      out[key] = structuredClone(next);
      recordLeaves(next, path, source, origins);
    }
  }
  return out;
}

function recordLeaves(value: unknown, path: string, source: string, origins: Origins): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) recordLeaves(child, `${path}.${key}`, source, origins);
  } else {
    origins.set(path, source);
  }
}

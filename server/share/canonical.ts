// Canonical JSON: object keys sorted (UTF-16 code unit order, what Array.prototype.sort does), no
// whitespace, values serialized as JSON.stringify serializes them (undefined members dropped,
// undefined in arrays and non-finite numbers become null). The same value always gives the same
// bytes, so a link's payload is a function of the transcript alone and a round trip is byte-exact.

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, new Set());
  return out.join("");
}

function write(value: unknown, out: string[], seen: Set<object>): void {
  if (value === null || typeof value === "boolean") {
    out.push(String(value));
    return;
  }
  if (typeof value === "number") {
    out.push(Number.isFinite(value) ? JSON.stringify(value) : "null");
    return;
  }
  if (typeof value === "string") {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value === "bigint") throw new TypeError("canonical JSON: a bigint cannot be serialized");
  if (typeof value !== "object") {
    out.push("null"); // undefined, functions and symbols, where JSON.stringify writes null in arrays
    return;
  }
  if (seen.has(value)) throw new TypeError("canonical JSON: circular structure");
  seen.add(value);
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(",");
      write(item, out, seen);
    });
    out.push("]");
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined && typeof record[k] !== "function" && typeof record[k] !== "symbol")
      .sort();
    out.push("{");
    keys.forEach((key, i) => {
      if (i > 0) out.push(",");
      out.push(JSON.stringify(key), ":");
      write(record[key], out, seen);
    });
    out.push("}");
  }
  seen.delete(value);
}

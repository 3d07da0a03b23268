// Share links: link size for 10, 100 and 1,000-message transcripts (realistic: code, tool outputs,
// diffs), the ratio of raw JSON to link, deflate-raw (what links use) against brotli (what the
// browser cannot decompress natively), and the time to encode+sign and to verify+decode.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import { canonicalJson } from "../server/share/canonical.ts";
import { loadOrCreateShareKey } from "../server/share/keys.ts";
import { createShareLink, DEFAULT_MAX_FRAGMENT_BYTES, verifyShareLink } from "../server/share/link.ts";
import { makeTranscript } from "../test/support/share/transcripts.ts";
import { medianTime } from "./support/stats.ts";
import type { BenchRow } from "./types.ts";

export const title = "share: link size, compression, encode/verify time";

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

const time = medianTime;

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "opencode-bench-share-"));
  const rows: BenchRow[] = [];
  try {
    const key = loadOrCreateShareKey({ path: join(dir, "share-key.pem") });
    const options = { key, env: {}, maxFragmentBytes: Number.MAX_SAFE_INTEGER };
    for (const count of [10, 100, 1000]) {
      const t = makeTranscript(count, 42);
      const json = Buffer.byteLength(canonicalJson(t));
      const result = createShareLink(t, options);
      const brotli = brotliCompressSync(canonicalJson(t), { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: json } }).length;
      const over = result.size.fragment > DEFAULT_MAX_FRAGMENT_BYTES ? " (over the 64 KiB budget)" : "";
      rows.push({ name: `${count} messages: raw JSON`, value: kib(json) });
      rows.push({ name: `${count} messages: link fragment`, value: `${kib(result.size.fragment)}${over}` });
      rows.push({ name: `${count} messages: raw JSON / link`, value: `${(json / result.size.fragment).toFixed(2)}x`, target: count === 100 ? ">= 5x" : undefined });
      rows.push({
        name: `${count} messages: compression, deflate-raw vs brotli`,
        value: `${(json / result.size.compressed).toFixed(2)}x vs ${(json / brotli).toFixed(2)}x (${kib(result.size.compressed)} vs ${kib(brotli)})`,
      });
      if (over) {
        const lean = createShareLink(t, { ...options, dropToolOutputs: true });
        rows.push({ name: `${count} messages: link without tool outputs`, value: kib(lean.size.fragment) });
      }
      const rounds = count >= 1000 ? 7 : 25;
      rows.push({ name: `${count} messages: redact + encode + sign`, value: `${time(() => createShareLink(t, options), rounds).toFixed(2)} ms` });
      rows.push({ name: `${count} messages: verify + decode`, value: `${time(() => verifyShareLink(result.url), rounds).toFixed(2)} ms` });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

// `npm run bench`: runs every bench/*.bench.ts in turn and prints its rows. Benchmarks print
// numbers (ratios against a baseline measured in the same run), they never pass or fail on time.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchModule, BenchRow } from "./types.ts";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((name) => f.includes(name)))
  .sort();

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
  console.log(`\n## ${mod.title}`);
  let rows: BenchRow[];
  try {
    rows = await mod.run();
  } catch (error) {
    console.log(`  failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
    continue;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) {
    const target = row.target ? `  (target ${row.target})` : "";
    console.log(`  ${row.name.padEnd(width)}  ${row.value}${target}`);
  }
}

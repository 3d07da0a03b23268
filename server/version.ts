import { readFileSync } from "node:fs";

/**
 * The package version, read once from package.json: one folder above server/ and dist/, two above
 * the bundles in dist/ subfolders (dist/run/, dist/mcp/).
 */
export const VERSION: string = readVersion();

function readVersion(): string {
  for (const path of ["../package.json", "../../package.json"]) {
    try {
      return (JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { version: string }).version;
    } catch {
      // not here
    }
  }
  return "0.0.0";
}

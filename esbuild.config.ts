// The build: ESM bundles in dist/ (split into chunks, so each CLI mode loads only what it imports). A bundle starts about twice as fast as the same code as hundreds of modules.
// Type checking is `tsc --noEmit`; this only transpiles and bundles.
import { rmSync } from "node:fs";
import { build, type BuildOptions } from "esbuild";

rmSync("dist", { recursive: true, force: true }); // chunk names change with content: no stale ones

const common: BuildOptions = {
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  minify: true,
  sourcemap: "linked",
  // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its ESM build is fine.
  mainFields: ["module", "main"],
  // Bundled CommonJS dependencies call require() for node builtins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning",
};

// Six bundles: the server and CLI; the session worker; `run`; `acp`; the MCP hub; `bench`. Apart, because code two bundles
// share would be split into chunks the server loads at start-up: the agent's tools use classic zod,
// whose core would then come with the server's zod/mini (about 400 KB more to parse at every start);
// bench's jsonc-parser edits would come with the config loader's parser.
// `acp` goes into dist/ itself (its own chunks beside the server's), so its sessions find the worker
// bundle at ./worker/ as the server's do.
await Promise.all([
  build({ ...common, entryPoints: { main: "server/main.ts" }, outdir: "dist" }),
  build({ ...common, entryPoints: { "session-worker": "server/sessions/session-worker.ts" }, outdir: "dist/worker" }),
  build({ ...common, entryPoints: { run: "server/cli/run.ts" }, outdir: "dist/run" }),
  // The MCP hub (the MCP SDK, with classic zod), loaded by dist/ and dist/run/ when a server is used.
  build({ ...common, entryPoints: { hub: "server/mcp/hub.ts" }, outdir: "dist/mcp" }),
  build({ ...common, entryPoints: { acp: "server/acp/main.ts" }, outdir: "dist" }),
  build({ ...common, entryPoints: { bench: "server/bench/command.ts" }, outdir: "dist/bench" }),
]);

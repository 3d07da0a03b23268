// Where the real editors for the end-to-end tests are: the wrappers that test/e2e/install-editors.sh
// writes (they set the private loader, libraries and runtime paths, so a test just runs them).
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type EditorName = "nvim" | "hx" | "emacs" | "tmux";

export const EDITORS: readonly EditorName[] = ["nvim", "hx", "emacs", "tmux"];

/** The command that installs them (from the repository root). */
export const INSTALL_COMMAND = "bash test/e2e/install-editors.sh";

const HERE = dirname(fileURLToPath(import.meta.url));

/** The file the installer writes the wrapper folder's path to. */
export const BIN_PATH_FILE = join(HERE, ".editors-bin");

/** The installer's cache folder, by the same rule as the script. */
export function editorCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPENCODE_LSP_E2E_CACHE) return env.OPENCODE_LSP_E2E_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "opencode-lsp-e2e");
  const home = env.HOME || homedir();
  if (home) return join(home, ".cache", "opencode-lsp-e2e");
  return "/var/cache/opencode-lsp-e2e";
}

const isExecutable = (path: string) => {
  try {
    return statSync(path).isFile() && (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
};

/** Folders that may hold the wrappers, most specific first. */
function candidateDirs(): { dir: string; from: string }[] {
  const out: { dir: string; from: string }[] = [];
  if (process.env.OPENCODE_LSP_E2E_BIN) {
    // An explicit folder is the only one looked at.
    return [{ dir: process.env.OPENCODE_LSP_E2E_BIN, from: "$OPENCODE_LSP_E2E_BIN" }];
  }
  if (existsSync(BIN_PATH_FILE)) {
    const dir = readFileSync(BIN_PATH_FILE, "utf8").trim();
    if (dir) out.push({ dir, from: BIN_PATH_FILE });
  }
  out.push({ dir: join(editorCacheDir(), "bin"), from: "the default cache folder" });
  return out;
}

/**
 * The wrapper to run for `name` (an absolute path). Throws, saying how to install, when the
 * installer has not run (or did not install that editor).
 */
export function editorBin(name: EditorName): string {
  if (!EDITORS.includes(name)) throw new Error(`unknown editor ${JSON.stringify(name)}; one of ${EDITORS.join(", ")}`);
  const tried: string[] = [];
  for (const { dir, from } of candidateDirs()) {
    const path = join(dir, name);
    if (isExecutable(path)) return path;
    tried.push(`${path} (${from})`);
  }
  throw new Error(
    `${name} for the end-to-end tests is not installed: run \`${INSTALL_COMMAND}\` from the repository root ` +
      `(or set OPENCODE_LSP_E2E_BIN to its wrapper folder). Looked for: ${tried.join(", ")}`,
  );
}

/** The folder holding all the wrappers (that of `nvim`). Throws like editorBin. */
export function editorBinDir(): string {
  return dirname(editorBin("nvim"));
}

/** Whether every one of `names` has its wrapper. */
export function editorsInstalled(names: readonly EditorName[] = EDITORS): boolean {
  return names.every((name) => {
    try {
      editorBin(name);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Whether end-to-end tests needing `names` should be skipped: never in CI (CI=true, where
 * .ci/run installs them and a missing editor must fail), otherwise when one is not installed.
 */
export function skipEditorTests(names: readonly EditorName[] = EDITORS): boolean {
  if (process.env.CI && process.env.CI !== "false" && process.env.CI !== "0") return false;
  return !editorsInstalled(names);
}

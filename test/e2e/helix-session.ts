// Helix 25 under tmux for the end-to-end tests: clients/helix/languages.toml adapted to the built
// server, a tmux session running `hx` on one file of a project, and what a test does with it —
// send keys, read the screen (with or without escapes), read Helix's log, wait for a condition
// with the screen and log in the failure message, pick a code action from space-a's menu.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.ts";
import { editorBin } from "./editors.ts";
import { SERVER_CMD } from "./support.ts";

// Asynchronous (execFile, not execFileSync): the scripted provider answers from this process.
const execFileP = promisify(execFile);

export const HELIX_LANGUAGES = join(REPO_ROOT, "clients", "helix", "languages.toml");

const q = (s: string) => JSON.stringify(s); // a TOML basic string

/** clients/helix/languages.toml with the built server's command and only "opencode" for typescript. */
export function helixLanguagesForTest(): string {
  const source = readFileSync(HELIX_LANGUAGES, "utf8");
  const [cmd, ...args] = SERVER_CMD;
  const adapted = source
    .replace(/^command = "opencode-lsp"$/m, `command = ${q(cmd!)}`)
    .replace(/^args = \["--stdio"\]$/m, `args = [${args.map(q).join(", ")}]`)
    .replace(/(name = "typescript"\n)language-servers = \[[^\]]*\]/, `$1language-servers = ["opencode"]`);
  if (adapted.includes('"opencode-lsp"') || !adapted.includes('language-servers = ["opencode"]')) {
    throw new Error(`clients/helix/languages.toml no longer has the expected shape:\n${source}`);
  }
  return adapted;
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms: number, detail: () => Promise<string>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${await detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface HelixSession {
  /** tmux's answer to a command on this session's server. */
  tm(args: string[]): Promise<{ stdout: string }>;
  /** What the screen shows (with the escape sequences, for the highlighted row). */
  screen(escapes?: boolean): Promise<string>;
  keys(...k: string[]): Promise<unknown>;
  logText(): string;
  /** The screen and the end of Helix's log, for failure messages. */
  detail(): Promise<string>;
  /** The file's text on disk; undefined for the moment Helix's write (a temporary file, then a rename) takes. */
  onDisk(): string | undefined;
  /** space-a on `line`, then the menu entry titled exactly `title` (the highlighted row is the selection). */
  pick(line: number, title: string): Promise<void>;
  /** Stops tmux and Helix with it. */
  kill(): Promise<void>;
}

/**
 * Configures Helix in `root` (languages.toml, log) and starts it on `name` in a tmux window
 * `width` columns wide; resolves once Helix has initialized opencode-lsp and opened the file.
 */
export async function startHelix(root: string, name: string, width: number): Promise<HelixSession> {
  const file = join(root, name);
  const config = join(root, ".config");
  mkdirSync(join(config, "helix"), { recursive: true });
  writeFileSync(join(config, "helix", "languages.toml"), helixLanguagesForTest());
  const log = join(root, "helix.log");
  const socket = join(root, "tmux.sock");
  const env = { ...process.env, HOME: join(root, ".home"), XDG_CONFIG_HOME: config, XDG_CACHE_HOME: join(root, ".cache"), TERM: "xterm-256color" };
  const tm = (args: string[]) => execFileP(editorBin("tmux"), ["-S", socket, ...args], { env, cwd: root, timeout: 10_000 });
  const screen = async (escapes = false) => {
    try {
      return (await tm(["capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "e2e"])).stdout;
    } catch (e) {
      return `(no screen: ${(e as Error).message})`;
    }
  };
  const logText = () => (existsSync(log) ? readFileSync(log, "utf8") : "");
  const detail = async () => `screen:\n${await screen()}\nhelix.log (last 6000):\n${logText().slice(-6000)}`;
  const keys = (...k: string[]) => tm(["send-keys", "-t", "e2e", ...k]);
  const session: HelixSession = {
    tm,
    screen,
    keys,
    logText,
    detail,
    onDisk() {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    },
    async pick(line, title) {
      await keys("Escape");
      await keys(`:${line}`, "Enter");
      await keys("Space", "a");
      await waitFor(`"${title}" in the code action menu`, async () => (await screen()).includes(title), 20_000, detail);
      const selected = async () => (await screen(true)).split("\n").find((l) => l.includes("\u001b[7m") && /OpenCode: /.test(l)) ?? "";
      const isIt = (l: string) => new RegExp(`${title}(?!\\w| \\()`).test(l.replace(/\u001b\[[0-9;]*m/g, ""));
      for (let i = 0; i < 15 && !isIt(await selected()); i++) await keys("Down");
      expect(isIt(await selected()), `${title} selected\n${await detail()}`).toBe(true);
      await keys("Enter");
    },
    kill: () => tm(["kill-server"]).then(
      () => undefined,
      () => undefined,
    ),
  };
  try {
    await tm(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", String(width), "-y", "45", "-c", root, `${editorBin("hx")} -v --log ${log} ${name}`]);
    await waitFor(`Helix to initialize opencode-lsp and open ${name}`, () => /textDocument\/didOpen/.test(logText()) && /serverInfo.*opencode-lsp/.test(logText()), 30_000, detail);
  } catch (error) {
    await session.kill();
    throw error;
  }
  return session;
}

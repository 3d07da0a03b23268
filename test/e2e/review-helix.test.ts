// Review before write in Helix 25 under tmux, which has only the code actions for it (no custom
// protocol): with "review": "ask" in opencode.json, a scripted turn (started from space-a's
// "OpenCode: Refactor selection") edits two lines of a ten-line file; the buffer stays as it was;
// on line 2, space-a's "OpenCode: Accept change" lands that hunk alone; on line 8, "OpenCode:
// Reject change" drops the other; :w writes exactly the first change; `u` undoes it in one step.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.ts";
import { editorBin, skipEditorTests } from "./editors.ts";
import { FIRST_ONLY, ORIGINAL, REVIEW_TURNS, reviewProject } from "./review-support.ts";
import { removeAfterTest, scriptedProviderForTest, SERVER_CMD } from "./support.ts";

const execFileP = promisify(execFile);
const HELIX_LANGUAGES = join(REPO_ROOT, "clients", "helix", "languages.toml");
const q = (s: string) => JSON.stringify(s); // a TOML basic string

/** clients/helix/languages.toml with the built server's command and only "opencode" for typescript (as helix.test.ts). */
function helixLanguages(): string {
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

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms: number, detail: () => Promise<string>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${await detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skipEditorTests(["hx", "tmux"]))("Helix: review before write (under tmux)", () => {
  it("keeps the turn's two hunks pending; space-a accepts one and rejects the other; :w writes the first alone", async () => {
    const provider = await scriptedProviderForTest({ protocol: "openai", turns: REVIEW_TURNS });
    // Helix 25 has no window/showMessageRequest: edits are allowed, and review is asked for in
    // opencode.json (Helix cannot announce it).
    const project = reviewProject(provider, { permissions: { edit: "allow" }, review: "ask" });
    const root = removeAfterTest(project.root);
    const file = project.file;
    const config = join(root, ".config");
    mkdirSync(join(config, "helix"), { recursive: true });
    writeFileSync(join(config, "helix", "languages.toml"), helixLanguages());
    const log = join(root, "helix.log");

    const tmux = editorBin("tmux");
    const socket = join(root, "tmux.sock");
    const env = { ...process.env, HOME: join(root, ".home"), XDG_CONFIG_HOME: config, XDG_CACHE_HOME: join(root, ".cache"), TERM: "xterm-256color" };
    const tm = (args: string[]) => execFileP(tmux, ["-S", socket, ...args], { env, cwd: root!, timeout: 10_000 });
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
    const onDisk = () => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined; // Helix writes through a temporary file and a rename
      }
    };
    /** space-a on `line`, then the menu entry titled exactly `title` (the highlighted row is the selection). */
    const pick = async (line: number, title: string) => {
      await keys("Escape");
      await keys(`:${line}`, "Enter");
      await keys("Space", "a");
      await waitFor(`"${title}" in the code action menu`, async () => (await screen()).includes(title), 20_000, detail);
      const selected = async () => (await screen(true)).split("\n").find((l) => l.includes("\u001b[7m") && /OpenCode: /.test(l)) ?? "";
      const isIt = (l: string) => new RegExp(`${title}(?!\\w| \\()`).test(l.replace(/\u001b\[[0-9;]*m/g, ""));
      for (let i = 0; i < 15 && !isIt(await selected()); i++) await keys("Down");
      expect(isIt(await selected()), `${title} selected\n${await detail()}`).toBe(true);
      await keys("Enter");
    };
    const t0 = Date.now();
    const times: Record<string, number> = {};
    try {
      await tm(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "160", "-y", "45", "-c", root, `${editorBin("hx")} -v --log ${log} review.ts`]);
      await waitFor("Helix to initialize opencode-lsp and open review.ts", () => /textDocument\/didOpen/.test(logText()) && /serverInfo.*opencode-lsp/.test(logText()), 30_000, detail);

      // The turn, from a selection action on line 1.
      let mark = Date.now();
      await pick(1, "OpenCode: Refactor selection");
      await waitFor("the scripted turn to end", () => provider!.requests.length >= 2 && provider!.requests[1]!.finished, 60_000, detail);
      // The hunks reach Helix as hint diagnostics; the buffer keeps its lines.
      await waitFor("the review hints in Helix", () => (logText().match(/pending change/g) ?? []).length >= 2, 30_000, detail);
      times.turn = Date.now() - mark;
      const afterTurn = await screen();
      expect(afterTurn, await detail()).toMatch(/export const v2 = 2;/);
      expect(afterTurn).toMatch(/export const v8 = 8;/);
      expect(afterTurn).not.toMatch(/\d\s+export const v2 = 20;/); // (the hint's message may quote it, not the line)

      // Accept on line 2: that hunk alone lands.
      mark = Date.now();
      await pick(2, "OpenCode: Accept change");
      await waitFor("the first hunk in Helix's buffer", async () => {
        const text = await screen();
        return /export const v2 = 20;/.test(text) && !/export const v2 = 2;/.test(text) ? text : undefined;
      }, 30_000, detail);
      times.accept = Date.now() - mark;
      expect(await screen()).toMatch(/export const v8 = 8;/);

      // Reject on line 8: the server clears its hints (the last publish for review.ts has none left).
      mark = Date.now();
      const publishes = () => logText().split("\n").filter((l) => l.includes("textDocument/publishDiagnostics") && l.includes("review.ts"));
      const before = publishes().length;
      await pick(8, "OpenCode: Reject change");
      await waitFor("the review hints cleared", () => publishes().length > before && !publishes().at(-1)!.includes("pending change"), 30_000, detail);
      times.reject = Date.now() - mark;

      // :w writes exactly the first change.
      expect(onDisk()).toBe(ORIGINAL);
      await keys("Escape");
      await keys(":w", "Enter");
      await waitFor("review.ts written", () => onDisk() === FIRST_ONLY, 10_000, async () => `${await detail()}\non disk: ${JSON.stringify(onDisk())}`);
      // One u takes the accepted hunk back.
      await keys("u");
      await keys(":w", "Enter");
      await waitFor("review.ts written after u", () => onDisk() === ORIGINAL, 10_000, async () => `${await detail()}\non disk: ${JSON.stringify(onDisk())}`);
      await keys(":q!", "Enter");
    } finally {
      await tm(["kill-server"]).catch(() => {});
      console.log(`helix review: ${Date.now() - t0} ms (${JSON.stringify(times)})`);
    }
  }, 150_000);
});

// Helix 25 under tmux, configured with clients/helix/languages.toml (the command swapped for the
// built server; typescript listing only "opencode", which fronts a real typescript-language-server
// through opencode.json's `proxy`): on a line holding `// @opencode <instruction>`, space-a offers
// "OpenCode: Run instruction in comment"; picking it removes the comment and applies the scripted
// model's edit; after :w the file on disk holds the expected text.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.ts";
import { editorBin, skipEditorTests } from "./editors.ts";
import { removeAfterTest, scriptedProviderForTest, SERVER_CMD, tsProject } from "./support.ts";

// Asynchronous (execFile, not execFileSync): the scripted provider answers from this process.
const execFileP = promisify(execFile);

export const HELIX_LANGUAGES = join(REPO_ROOT, "clients", "helix", "languages.toml");

const GREET = `export function greet(name: string): string {\n  return "Hello, " + name;\n}\n`;
const BEFORE = `// Greetings.\n${GREET}// @opencode add a farewell function next to greet\n`;
const FAREWELL = `\nexport function farewell(name: string): string {\n  return "Goodbye, " + name;\n}\n`;
/** The comment line gone, the model's function added. */
const AFTER = `// Greetings.\n${GREET}${FAREWELL}`;
const TITLE = "OpenCode: Run instruction in comment";

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

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms: number, detail: () => Promise<string>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${await detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skipEditorTests(["hx", "tmux"]))("Helix (under tmux)", () => {
  it("runs an @opencode comment instruction picked from space-a, and :w writes the result", async () => {
    const provider = await scriptedProviderForTest({
      protocol: "openai",
      turns: [
        { toolCalls: [{ id: "e1", name: "edit", arguments: { path: "greet.ts", oldString: GREET, newString: GREET + FAREWELL } }] },
        { text: "Added farewell." },
      ],
    });
    // Helix 25 has no window/showMessageRequest (it answers "Method not found", which opencode-lsp
    // takes as a rejection), so the agent may edit without asking here.
    const project = tsProject(provider, { permissions: { edit: "allow" } });
    const root = removeAfterTest(project.root);
    const file = join(root, "greet.ts");
    writeFileSync(file, BEFORE);
    const config = join(root, ".config");
    mkdirSync(join(config, "helix"), { recursive: true });
    writeFileSync(join(config, "helix", "languages.toml"), helixLanguagesForTest());
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
    const t0 = Date.now();
    try {
      await tm(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "140", "-y", "45", "-c", root, `${editorBin("hx")} -v --log ${log} greet.ts`]);
      // Attached: Helix opened the document with opencode-lsp.
      await waitFor("Helix to initialize opencode-lsp and open greet.ts", () => /textDocument\/didOpen/.test(logText()) && /serverInfo.*opencode-lsp/.test(logText()), 30_000, detail);
      // The instruction's line (line 5), then space-a.
      await keys(":5", "Enter");
      await keys("Space", "a");
      const offered = await waitFor("the code action menu", async () => {
        const text = await screen();
        return text.includes(TITLE) ? text : undefined;
      }, 20_000, detail);
      expect(offered).toContain(TITLE);
      // Select it: the highlighted (reverse video) row is the menu's selection.
      const selected = async () => (await screen(true)).split("\n").find((line) => line.includes("\u001b[7m") && /OpenCode: /.test(line)) ?? "";
      for (let i = 0; i < 10 && !(await selected()).includes(TITLE); i++) await keys("Down");
      expect(await selected(), await detail()).toContain(TITLE);
      const picked = Date.now();
      await keys("Enter");
      // The comment line goes and the model's function arrives, in the buffer...
      await waitFor("the edits in Helix's buffer", async () => {
        const text = await screen();
        return text.includes("export function farewell") && !text.includes("@opencode add") ? text : undefined;
      }, 60_000, detail);
      console.log(`action → edits in the buffer: ${Date.now() - picked} ms`);
      // ...and on disk after :w.
      expect(readFileSync(file, "utf8")).toBe(BEFORE);
      await keys(":w", "Enter");
      // Helix writes through a temporary file and a rename: the file may be missing for a moment.
      const onDisk = () => {
        try {
          return readFileSync(file, "utf8");
        } catch {
          return undefined;
        }
      };
      await waitFor("greet.ts written", () => onDisk() === AFTER, 10_000, async () => `${await detail()}\non disk: ${JSON.stringify(onDisk())}`);
      expect(onDisk()).toBe(AFTER);
      await keys(":q!", "Enter");
      // What the model was told: the instruction, with the comment line already gone.
      const sent = JSON.stringify(provider.requests[0]!.body.messages);
      expect(sent).toContain("add a farewell function next to greet");
      // Helix 25 blocks its UI on codeAction/resolve (up to its 20 s request timeout) while
      // opencode-lsp runs the agent inside the resolve; the workspace/applyEdit requests are served
      // after that. Logged, not asserted, so the test tracks the fix.
      console.log(`Helix resolve timed out first: ${/original request likely timed out/.test(logText())}`);
    } finally {
      await tm(["kill-server"]).catch(() => {});
      console.log(`helix: ${Date.now() - t0} ms`);
    }
  }, 120_000);
});

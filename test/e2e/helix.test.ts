// Helix 25 under tmux, configured with clients/helix/languages.toml (the command swapped for the
// built server; typescript listing only "opencode", which fronts a real typescript-language-server
// through opencode.json's `proxy`): on a line holding `// @opencode <instruction>`, space-a offers
// "OpenCode: Run instruction in comment"; picking it removes the comment and applies the scripted
// model's edit; after :w the file on disk holds the expected text.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { skipEditorTests } from "./editors.ts";
import { startHelix, waitFor } from "./helix-session.ts";
import { removeAfterTest, scriptedProviderForTest, tsProject } from "./support.ts";

const GREET = `export function greet(name: string): string {\n  return "Hello, " + name;\n}\n`;
const BEFORE = `// Greetings.\n${GREET}// @opencode add a farewell function next to greet\n`;
const FAREWELL = `\nexport function farewell(name: string): string {\n  return "Goodbye, " + name;\n}\n`;
/** The comment line gone, the model's function added. */
const AFTER = `// Greetings.\n${GREET}${FAREWELL}`;
const TITLE = "OpenCode: Run instruction in comment";

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
    const t0 = Date.now();
    const { keys, screen, logText, detail, onDisk, pick, kill } = await startHelix(root, "greet.ts", 140);
    try {
      // The instruction's line (line 5), then space-a, and the action picked.
      const picked = Date.now();
      await pick(5, TITLE);
      // The comment line goes and the model's function arrives, in the buffer...
      await waitFor("the edits in Helix's buffer", async () => {
        const text = await screen();
        return text.includes("export function farewell") && !text.includes("@opencode add") ? text : undefined;
      }, 60_000, detail);
      console.log(`action picked → edits in the buffer: ${Date.now() - picked} ms`);
      // ...and on disk after :w.
      expect(readFileSync(file, "utf8")).toBe(BEFORE);
      await keys(":w", "Enter");
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
      await kill();
      console.log(`helix: ${Date.now() - t0} ms`);
    }
  }, 120_000);
});

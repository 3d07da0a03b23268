// Review before write in Neovim 0.10 headless with the plugin in lua/: a scripted turn edits two
// lines of a ten-line file; the buffer stays as it was, the two hunks are drawn inline (the old
// line highlighted, the new one as a virtual line below it) with the plugin's keys mapped;
// `:OpenCode review` lists them in the quickfix list; `]h`/`[h` move between them; `ga` accepts
// the first, `gr` rejects the second, leaving exactly the first change; one `u` undoes it.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/lsp-client.ts";
import { editorBin, skipEditorTests } from "./editors.ts";
import { ANSWER, FIRST_ONLY, ORIGINAL, PROMPT, REVIEW_TURNS, reviewProject } from "./review-support.ts";
import { editorResult, removeAfterTest, runEditor, scriptedProviderForTest, SERVER_CMD } from "./support.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
describe.skipIf(skipEditorTests(["nvim"]))("Neovim: review before write", () => {
  it("holds a two-hunk edit as an inline diff; ga accepts one, gr rejects the other, one u undoes the accept", async () => {
    const provider = await scriptedProviderForTest({ protocol: "openai", turns: REVIEW_TURNS });
    const project = reviewProject(provider);
    const root = removeAfterTest(project.root);
    const resultFile = join(root, "nvim-review.json");
    const t0 = Date.now();
    const run = await runEditor(editorBin("nvim"), ["--headless", "--clean", "-n", "-c", `luafile ${join(HERE, "fixtures", "nvim-review.lua")}`], {
      cwd: root,
      env: { ...process.env, OCL_REPO: REPO_ROOT, OCL_CMD: JSON.stringify(SERVER_CMD), OCL_FILE: project.file, OCL_RESULT: resultFile, OCL_PROMPT: PROMPT, OCL_ANSWER: ANSWER, XDG_STATE_HOME: join(root, ".state"), XDG_CONFIG_HOME: join(root, ".config") },
    });
    const r = editorResult(resultFile, "Neovim", run);
    const detail = JSON.stringify(r, null, 2);
    expect(r.error, detail).toBeUndefined();

    // After the turn: the buffer untouched, two hunks drawn where the lines are, the keys mapped.
    expect(r.after_turn.buffer).toBe(ORIGINAL);
    expect(r.after_turn.modified).toBe(false);
    expect(r.after_turn.pending).toBe(2);
    const removed = r.after_turn.marks.filter((m: any) => m.hl === "OpenCodeReviewRemoved");
    expect(removed.map((m: any) => [m.row, m.end_row])).toEqual([[1, 2], [7, 8]]);
    const added = r.after_turn.marks.flatMap((m: any) => m.virt_lines);
    expect(added).toEqual([
      { text: "export const v2 = 20;", hl: "OpenCodeReviewAdded" },
      { text: "export const v8 = 80;", hl: "OpenCodeReviewAdded" },
    ]);
    expect(r.after_turn.maps).toEqual({ ga: true, gr: true, gA: true, gR: true, "]h": true, "[h": true });
    expect(r.after_turn.statusline).toContain("2 pending");

    // :OpenCode review: both, in the quickfix list, at their lines.
    expect(r.quickfix_title).toBe("OpenCode review");
    expect(r.quickfix.map((q: any) => q.lnum)).toEqual([2, 8]);
    expect(r.quickfix[0].file).toBe(project.file);
    expect(r.quickfix[0].text).toContain("v2 = 20");
    expect(r.jumps).toEqual([2, 8, 2]);

    // ga: exactly the first hunk lands; the second is still drawn.
    expect(r.after_accept.buffer).toBe(FIRST_ONLY);
    expect(r.after_accept.pending).toBe(1);
    expect(r.after_accept.marks.filter((m: any) => m.hl === "OpenCodeReviewRemoved").map((m: any) => m.row)).toEqual([7]);
    // gr (on line 8, reached with ]h): nothing more lands, nothing is drawn, the keys go.
    expect(r.second_row).toBe(8);
    expect(r.after_reject.buffer).toBe(FIRST_ONLY);
    expect(r.after_reject.marks).toEqual([]);
    expect(r.after_reject.maps).toEqual({ ga: false, gr: false });
    // One u: back to the original (the accept was one undo step, and the only one).
    expect(r.after_undo.buffer).toBe(ORIGINAL);
    expect(r.after_second_undo.buffer).toBe(ORIGINAL);
    // The model asked once with the tool call, once after it.
    expect(provider.requests.length).toBeGreaterThanOrEqual(2);
    console.log(`Neovim review: ${Date.now() - t0} ms`);
  }, 150_000);
});

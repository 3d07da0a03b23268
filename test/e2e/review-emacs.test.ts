// Review before write in Emacs 30 (batch) with clients/emacs/opencode.el byte-compiled: a scripted
// turn (M-x opencode-ask) edits two lines of a ten-line file; the buffer stays as it was, the two
// hunks drawn as overlays (the old line in opencode-review-removed, the new one as an after-string
// in opencode-review-added) with opencode-review-mode on; opencode-review-list lists them;
// opencode-review-next/-previous move; opencode-review-accept takes the first,
// opencode-review-reject drops the second, leaving exactly the first change; one `undo' undoes it.
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { editorBin, skipEditorTests } from "./editors.ts";
import { ANSWER, FIRST_ONLY, ORIGINAL, PROMPT, REVIEW_TURNS, reviewProject } from "./review-support.ts";
import { compileOpencodeEl, editorResult, removeAfterTest, runEditor as run, scriptedProviderForTest, SERVER_CMD } from "./support.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
describe.skipIf(skipEditorTests(["emacs"]))("Emacs (eglot): review before write", () => {
  it("holds a two-hunk edit as an overlay diff; accept one, reject the other, one undo undoes the accept", async () => {
    const provider = await scriptedProviderForTest({ protocol: "openai", turns: REVIEW_TURNS });
    const project = reviewProject(provider);
    const root = removeAfterTest(project.root);
    const env = { ...process.env, HOME: join(root, ".home") };
    mkdirSync(env.HOME, { recursive: true });
    const lisp = await compileOpencodeEl(root, env);

    const resultFile = join(root, "emacs-review.json");
    const t0 = Date.now();
    const session = await run(editorBin("emacs"), ["--batch", "-Q", "-l", join(HERE, "fixtures", "emacs-review.el")], {
      cwd: root,
      env: { ...env, OCL_LISP: lisp, OCL_CMD: JSON.stringify(SERVER_CMD), OCL_FILE: project.file, OCL_RESULT: resultFile, OCL_PROMPT: PROMPT, OCL_ANSWER: ANSWER },
    });
    const r = editorResult(resultFile, "Emacs", session);
    const detail = `${JSON.stringify(r, null, 2)}\n--- stderr (last 4000) ---\n${session.stderr.slice(-4000)}`;
    expect(r.error, detail).toBeNull();

    // After the turn: the buffer untouched; two overlays where the lines are.
    expect(r.after_turn.buffer).toBe(ORIGINAL);
    expect(r.after_turn.modified).toBe(false);
    expect(r.after_turn.review_mode).toBe(true);
    expect(r.after_turn.overlays).toEqual([
      { start_line: 1, end_line: 2, face: "opencode-review-removed", shown: "export const v2 = 20;\n", shown_face: "opencode-review-added" },
      { start_line: 7, end_line: 8, face: "opencode-review-removed", shown: "export const v8 = 80;\n", shown_face: "opencode-review-added" },
    ]);

    // opencode-review-list: both, at their lines, in grep-mode.
    expect(r.list_mode).toBe("grep-mode");
    expect(r.list).toContain(`${project.file}:2: +1 -1  export const v2 = 20;`);
    expect(r.list).toContain(`${project.file}:8: +1 -1  export const v8 = 80;`);
    expect(r.jumps).toEqual([2, 8, 2]);

    // Accept: exactly the first hunk lands; the second is still drawn.
    expect(r.after_accept.buffer).toBe(FIRST_ONLY);
    expect(r.after_accept.overlays.map((o: any) => o.start_line)).toEqual([7]);
    // Reject (on line 8, reached with opencode-review-next): nothing more lands, nothing is drawn.
    expect(r.second_line).toBe(8);
    expect(r.after_reject.buffer).toBe(FIRST_ONLY);
    expect(r.after_reject.overlays).toEqual([]);
    expect(r.after_reject.review_mode).toBe(false);
    // One undo: back to the original.
    expect(r.after_undo.buffer).toBe(ORIGINAL);
    expect(session.status, detail).toBe(0);
    console.log(`Emacs review: ${Date.now() - t0} ms`);
  }, 180_000);
});

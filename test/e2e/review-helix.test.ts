// Review before write in Helix 25 under tmux, which has only the code actions for it (no custom
// protocol): with "review": "ask" in opencode.json, a scripted turn (started from space-a's
// "OpenCode: Refactor selection") edits two lines of a ten-line file; the buffer stays as it was;
// on line 2, space-a's "OpenCode: Accept change" lands that hunk alone; on line 8, "OpenCode:
// Reject change" drops the other; :w writes exactly the first change; `u` undoes it in one step.
import { describe, expect, it } from "vitest";
import { skipEditorTests } from "./editors.ts";
import { startHelix, waitFor } from "./helix-session.ts";
import { FIRST_ONLY, ORIGINAL, REVIEW_TURNS, reviewProject } from "./review-support.ts";
import { removeAfterTest, scriptedProviderForTest } from "./support.ts";

describe.skipIf(skipEditorTests(["hx", "tmux"]))("Helix: review before write (under tmux)", () => {
  it("keeps the turn's two hunks pending; space-a accepts one and rejects the other; :w writes the first alone", async () => {
    const provider = await scriptedProviderForTest({ protocol: "openai", turns: REVIEW_TURNS });
    // Helix 25 has no window/showMessageRequest: edits are allowed, and review is asked for in
    // opencode.json (Helix cannot announce it).
    const project = reviewProject(provider, { permissions: { edit: "allow" }, review: "ask" });
    const root = removeAfterTest(project.root);
    const t0 = Date.now();
    const times: Record<string, number> = {};
    const { keys, screen, logText, detail, onDisk, pick, kill } = await startHelix(root, "review.ts", 160);
    try {
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
      await kill();
      console.log(`helix review: ${Date.now() - t0} ms (${JSON.stringify(times)})`);
    }
  }, 150_000);
});

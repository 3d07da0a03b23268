// Progress on stderr: a bar redrawn in place on a terminal, one line per model otherwise.
import { describe, expect, it } from "vitest";
import { progress } from "../../../server/bench/progress.ts";

function sink(isTTY: boolean) {
  const out = { text: "", isTTY, write: (t: string) => void (out.text += t) };
  return out;
}

describe("progress", () => {
  it("on a terminal: the bar, redrawn, with failures counted", () => {
    const out = sink(true);
    const bar = progress(out, 4);
    bar.tick("a/x", false);
    bar.tick("a/x", true);
    expect(out.text.split("\r\x1b[K").at(-1)).toBe(`[${"#".repeat(14)}${"-".repeat(14)}] 2/4 (1 failed) a/x`);
    bar.modelDone("a/x", 2, 1, 1500);
    expect(out.text).toContain("\r\x1b[Kbench: a/x: 2 requests, 1 failed, 1.5 s\n");
    bar.end();
    expect(out.text.endsWith("\r\x1b[K")).toBe(true);
  });

  it("elsewhere: only a line per model, no control characters", () => {
    const out = sink(false);
    const bar = progress(out, 2);
    bar.tick("a/x", false);
    bar.tick("a/x", false);
    bar.modelDone("a/x", 2, 0, 250);
    bar.end();
    expect(out.text).toBe("bench: a/x: 2 requests, 0 failed, 0.3 s\n");
  });
});

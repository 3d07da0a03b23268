// Which writes wait for the user's review (config `review`): a path rule (the most specific
// matching glob), else a tool rule, else the default — which, unset, is what the front says its
// editor can show.
import picomatch from "picomatch";
import type { ReviewConfig } from "../config/index.ts";
import { specificity } from "../tools/permissions.ts";

/** True when a write of `path` (relative to the root) by `tool` waits for review. */
export function wantsReview(config: ReviewConfig | undefined, editorShowsIt: boolean, path: string, tool: string | undefined): boolean {
  if (config === undefined) return editorShowsIt;
  if (typeof config === "string") return config === "ask";
  const byPath = Object.entries(config.paths ?? {})
    .filter(([glob]) => picomatch(glob, { dot: true })(path))
    .sort(([a], [b]) => specificity(b) - specificity(a))[0];
  if (byPath) return byPath[1] === "ask";
  const byTool = tool ? config.tools?.[tool] : undefined;
  if (byTool) return byTool === "ask";
  return (config.default ?? (editorShowsIt ? "ask" : "off")) === "ask";
}

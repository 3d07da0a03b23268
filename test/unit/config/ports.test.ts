// The local servers' default ports: share serve, stats --serve and sync serve can all run at once
// (sync's default was once the dashboard's), and each help text names its real default.
import { expect, it } from "vitest";
import { DEFAULT_SHARE_PORT, DEFAULT_STATS_PORT, DEFAULT_SYNC_PORT } from "../../../server/config/ports.ts";
import { helpText } from "../../../server/cli/help.ts";

it("no two local servers share a default port, and the help says each one", () => {
  const ports = [DEFAULT_SHARE_PORT, DEFAULT_STATS_PORT, DEFAULT_SYNC_PORT];
  expect(new Set(ports).size).toBe(ports.length);
  expect(helpText()).toContain(`default ${DEFAULT_SHARE_PORT}`);
  expect(helpText()).toContain(`default ${DEFAULT_STATS_PORT}`);
  expect(helpText("sync")).toContain(`default ${DEFAULT_SYNC_PORT}`);
});

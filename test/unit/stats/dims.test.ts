// Where a count happens: region from the time zone (never an IP), model labels, the workspace hash,
// and the config keys telemetry.segment / telemetry.region.
import { describe, expect, it } from "vitest";
import { validateSource } from "../../../server/config/schema.ts";
import { hourOf, regionFromTimeZone, splitModel, workspaceHash } from "../../../server/stats/dims.ts";

describe("usage dimensions", () => {
  it("region: the time zone's area, coarse; UTC and Etc zones are unknown", () => {
    expect(regionFromTimeZone("Europe/Berlin")).toBe("europe");
    expect(regionFromTimeZone("America/Argentina/Buenos_Aires")).toBe("america");
    expect(regionFromTimeZone("Asia/Tokyo")).toBe("asia");
    expect(regionFromTimeZone("UTC")).toBe("unknown");
    expect(regionFromTimeZone("Etc/GMT+3")).toBe("unknown");
  });

  it("hour buckets are UTC; models split into provider and model labels", () => {
    expect(hourOf(new Date("2026-03-02T09:59:59+09:00"))).toBe("2026-03-02T00");
    expect(splitModel("ollama/qwen2.5-coder:7b")).toEqual({ provider: "ollama", model: "qwen2.5-coder:7b" });
    expect(splitModel("openrouter/meta/llama 3")).toEqual({ provider: "openrouter", model: "meta/llama_3" });
    expect(splitModel(undefined)).toEqual({ provider: "unknown", model: "unknown" });
  });

  it("a workspace is a short hash of its folder's name: the same repository matches on every machine", () => {
    expect(workspaceHash("/home/ann/src/opencode-lsp")).toBe(workspaceHash("/Users/bob/work/opencode-lsp"));
    expect(workspaceHash("/home/ann/src/opencode-lsp")).not.toBe(workspaceHash("/home/ann/src/other"));
    expect(workspaceHash("/x/opencode-lsp")).toMatch(/^[0-9a-f]{12}$/);
  });

  it("telemetry.segment and telemetry.region are validated labels", () => {
    expect(validateSource("x", { telemetry: { enabled: true, segment: "Platform Team", region: "europe" } }).ok).toBe(true);
    const bad = validateSource("opencode.json", { telemetry: { segment: "<script>", region: "" } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => `${i.path}: ${i.message}`)).toEqual(["telemetry.segment: expected 1-64 letters, digits, spaces or . _ : / -", "telemetry.region: expected 1-64 letters, digits, spaces or . _ : / -"]);
  });
});

// What bench keeps and changes, only when asked: --save (private files under the XDG ws.state dir,
// runs on the same tasks ranked together), --saved (re-ranked, no model asked), the editor's
// selector (opencode.model.select without arguments), --apply (asks; --yes), and bad input.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "jsonc-parser";
import * as z from "zod/mini";
import { afterEach, describe, expect, it } from "vitest";
import { savedPath } from "../../../server/bench/saved.ts";
import { benchResultSchema, type BenchResult } from "../../../server/bench/schema.ts";
import { benchWorkspace, makeBenchRepo, MODELS } from "../../support/bench-repo.ts";
import { isolatedEnv, LspTestClient, SERVER_BIN } from "../../support/lsp-client.ts";

const { exact: EXACT, near: NEAR, broken: BROKEN } = MODELS;

const ws = benchWorkspace();
let client: LspTestClient | undefined;
afterEach(() => client?.kill());

const bench = (args: string[]) => ws.run(["--tasks", "4", ...args]);
const requestsSent = () => Object.values(ws.models.servers).reduce((n, s) => n + s.requests.length, 0);
const saved = (): BenchResult => JSON.parse(readFileSync(savedPath(ws.root, { XDG_STATE_HOME: ws.state }), "utf8"));

describe("--save, --saved and the editor's selector", () => {
  it("keeps results only with --save, in private files, and ranks runs on the same tasks together", async () => {
    const first = await bench(["--models", `${EXACT},${BROKEN}`, "--seed", "9", "--save"]);
    expect(first.code, first.stderr).toBe(0);
    const path = savedPath(ws.root, { XDG_STATE_HOME: ws.state });
    expect(first.stderr).toContain(`bench: saved ${path} (chart ${path.replace(/\.json$/, ".svg")})`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readFileSync(path.replace(/\.json$/, ".svg"), "utf8")).toMatch(/^<svg /);
    expect(z.safeParse(benchResultSchema, saved()).success).toBe(true);
    expect(saved().ranking.map((r) => r.model)).toEqual([EXACT, BROKEN]);

    // Another model on the same tasks: ranked with the saved ones.
    const second = await bench(["--models", NEAR, "--seed", "9", "--save", "--json"]);
    expect(second.code, second.stderr).toBe(0);
    const merged = JSON.parse(second.stdout) as BenchResult;
    expect(merged.ranking.map((r) => r.model)).toEqual([EXACT, NEAR, BROKEN]);
    expect(saved().ranking.map((r) => r.model)).toEqual([EXACT, NEAR, BROKEN]);
    expect(second.stdout).not.toContain("Recommended"); // JSON only
  }, 60_000);

  it("--saved shows them again, re-ranked with --weights, without asking any model", async () => {
    const before = requestsSent();
    const again = await ws.run(["--saved", "--json", "--weights", "cost=1"]);
    expect(again.code, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout) as BenchResult;
    expect(result.weights).toEqual({ accuracy: 0, latency: 0, cost: 1 });
    // cost alone: free → 1; $0.12 per 1000 tasks → 1 / 1.12; no answer → 0.
    expect(result.ranking.map((r) => [r.model, r.score])).toEqual([[EXACT, 1], [NEAR, 0.893], [BROKEN, 0]]);
    expect(requestsSent()).toBe(before);
    const table = await ws.run(["--saved"]);
    expect(table.stdout).toMatch(new RegExp(`\\n1\\s+${EXACT.replace(/\./g, "\\.")}\\s+\\d\\.\\d{3}\\s+100\\s+100\\s+100\\s+100\\s`));
    expect(table.stdout).toContain(`Recommended: ${EXACT}`);
  });

  it("opencode.model.select without arguments returns the last ranking, best first, with its figures", async () => {
    client = new LspTestClient({ cwd: ws.root, env: { ...isolatedEnv(), XDG_STATE_HOME: ws.state } });
    await client.initialize({ rootUri: pathToFileURL(ws.root).href });
    const last = await client.request("workspace/executeCommand", { command: "opencode.model.select", arguments: [] });
    expect(last.ranking.map((r: any) => r.model)).toEqual([EXACT, NEAR, BROKEN]);
    expect(last.ranking[0]).toMatchObject({ model: EXACT, exactMatch: 100, editSimilarity: 100, errors: 0, reason: expect.stringContaining("EM 100%") });
    expect(last).toMatchObject({ recommendation: EXACT, tasks: 4, current: null });
    // Selecting one of them works as before.
    expect(await client.request("workspace/executeCommand", { command: "opencode.model.select", arguments: [{ model: NEAR }] })).toBeNull();
    expect((await client.request("workspace/executeCommand", { command: "opencode.model.select" })).current).toBe(NEAR);
    await client.shutdownAndExit();

    const elsewhere = mkdtempSync(join(tmpdir(), "no-bench-"));
    client = new LspTestClient({ cwd: elsewhere, env: { ...isolatedEnv(), XDG_STATE_HOME: ws.state } });
    await client.initialize({ rootUri: pathToFileURL(elsewhere).href });
    const none = await client.request("workspace/executeCommand", { command: "opencode.model.select", arguments: [] });
    expect(none).toMatchObject({ ranking: [], recommendation: null, message: expect.stringContaining("opencode-lsp bench --save") });
  });

  it("another seed replaces what was saved", async () => {
    const other = await bench(["--models", NEAR, "--seed", "10", "--save"]);
    expect(other.code, other.stderr).toBe(0);
    expect(saved().ranking.map((r) => r.model)).toEqual([NEAR]);
    expect(saved().seed).toBe(10);
  }, 30_000);
});

describe("--apply", () => {
  it("asks first: without a terminal and without --yes nothing is written", async () => {
    const before = readFileSync(join(ws.root, "opencode.json"), "utf8");
    const result = await ws.run(["--saved", "--apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not applied: no terminal to ask on (pass --yes");
    expect(readFileSync(join(ws.root, "opencode.json"), "utf8")).toBe(before);
  });

  it("with --yes it writes the recommendation as `model`, keeping the rest of the file and its comments", async () => {
    const before = readFileSync(join(ws.root, "opencode.json"), "utf8");
    const result = await ws.run(["--saved", "--apply", "--yes"]);
    expect(result.code, result.stderr).toBe(0);
    const after = readFileSync(join(ws.root, "opencode.json"), "utf8");
    expect(after).toContain("// written by the bench test");
    expect(after).toContain(`"model": "${NEAR}"`);
    expect(parse(after)).toEqual({ ...parse(before), model: NEAR });
    expect(result.stderr).toContain(`opencode.json: model ${NEAR}`);
  });

  it("a broken opencode.json is reported before anything runs, and left alone", async () => {
    const dir = makeBenchRepo();
    writeFileSync(join(dir, "opencode.json"), "{ not json");
    const result = await ws.run(["--tasks", "1", "--models", NEAR, "--apply", "--yes"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(join(dir, "opencode.json"), "utf8")).toBe("{ not json");
  });
});

describe("which models, and stopping", () => {
  it("without --models: every usable model — hosted ones with a key (none here), each local server's own list", async () => {
    const result = await ws.run(["--tasks", "1", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const ids = (JSON.parse(result.stdout) as BenchResult).models.map((m) => m.model);
    // The scripted servers list one model, "scripted" (/api/tags, /v1/models).
    for (const id of ["ollama/scripted", "near/scripted", "claude/scripted", "broken/scripted"]) expect(ids).toContain(id);
    for (const id of ids) expect(id).not.toMatch(/^(openai|anthropic|groq|mistral)\//);
  }, 60_000);

  it("Ctrl-C cancels the requests in flight and exits 130, printing and saving nothing", async () => {
    const child = spawn(process.execPath, [SERVER_BIN, "bench", "--models", MODELS.garbage, "--tasks", "8", "--concurrency", "1", "--save"], { cwd: ws.root, env: { ...isolatedEnv(), XDG_STATE_HOME: `${ws.state}-interrupted` }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const before = ws.models.servers.garbage.requests.length;
    await expect.poll(() => ws.models.servers.garbage.requests.length, { timeout: 15_000 }).toBeGreaterThan(before);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("bench: interrupted; nothing printed or saved");
    expect(stdout).toBe("");
    expect(ws.models.servers.garbage.requests.length - before).toBeLessThan(8);
    await expect.poll(() => ws.models.servers.garbage.requests.at(-1)!.aborted).toBe(true);
    expect(existsSync(`${ws.state}-interrupted`)).toBe(false);
  }, 30_000);
});

describe("bad input", () => {
  it.each([
    [["--models", "nosuch/x"], /unknown provider "nosuch"/],
    [["--models", "notamodel"], /"notamodel" is not of the form provider\/model/],
    [["--tasks", "0"], /--tasks takes a whole number from 1/],
    [["--weights", "accuracy=-1"], /--weights: accuracy needs a number ≥ 0/],
    [["--kinds", "poems"], /--kinds: unknown kind "poems"/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["extra"], /unexpected argument "extra"/],
  ])("%j: a one-line error, exit 2, nothing asked", async (args, message) => {
    const before = requestsSent();
    const result = await ws.run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout).toBe("");
    expect(requestsSent()).toBe(before);
  });

  it("a folder without source files: exit 1, saying why", async () => {
    const empty = mkdtempSync(join(tmpdir(), "bench-empty-"));
    writeFileSync(join(empty, "notes.txt"), "nothing to cut here\n");
    const result = await ws.run(["--models", NEAR], empty);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no task could be cut: 0 tracked source files");
  });
});

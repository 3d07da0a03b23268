// A seeded fuzz run against the built server: thousands of malformed and type-confused frames —
// broken framing, invalid JSON, bad envelopes, and well-framed messages to every method we answer,
// every `opencode.*` command and every `opencode/*` request, with params mutated to the wrong
// types — written in batches, in chunks of random sizes. After each batch `opencode/health` must be
// answered. Faults: the process dying, a request of ours left unanswered (a hang), a byte on
// stdout that is not a valid frame, and the server reporting that its own code failed (an error
// log line, a handler that threw). Reproducible: FUZZ_SEED picks the run, FUZZ_FRAMES its length;
// FUZZ_LOG=file keeps the server's log (FUZZ_LOG_LEVEL its level).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeServer } from "../support/language-servers.ts";
import { LspTestClient } from "../support/lsp-client.ts";
import { frameArbitrary, type FuzzFrame, type FuzzTargets } from "../support/fuzz-frames.ts";
import { StdoutChecker } from "../support/stdout-checker.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_202);
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 2_400);
const BATCH = 120;
/** How long the server may take to answer what a batch asked, on a loaded machine. */
const ANSWER_BOUND_MS = 30_000;

/** The `opencode/*` requests of the custom protocol (SPEC.md), and the rest of what the front answers. */
const OPENCODE_REQUESTS = ["opencode/session/new", "opencode/session/prompt", "opencode/session/list", "opencode/session/load", "opencode/session/end", "opencode/models", "opencode/health"];

let client: LspTestClient;
let checker: StdoutChecker;
let targets: FuzzTargets;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), "fuzz-"));
  writeFileSync(join(root, "a.ts"), "const a = 1;\n");
  const rootUri = pathToFileURL(root).href;
  client = new LspTestClient({ cwd: root, ...(process.env.FUZZ_LOG_LEVEL ? { env: { OPENCODE_LSP_LOG_LEVEL: process.env.FUZZ_LOG_LEVEL } } : {}) });
  checker = new StdoutChecker(client.child.stdout);
  const result = await client.initialize({
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: "fuzz" }],
    capabilities: { window: { workDoneProgress: true, showDocument: { support: true } }, workspace: { applyEdit: true, configuration: true } },
    initializationOptions: { proxy: { fake: { command: fakeServer(), filetypes: ["typescript"] } } },
  });
  const docUri = pathToFileURL(join(root, "a.ts")).href;
  await client.notify("textDocument/didOpen", { textDocument: { uri: docUri, languageId: "typescript", version: 1, text: "const a = 1;\n" } });
  targets = { rootUri, docUri, commands: result.capabilities.executeCommandProvider.commands, opencodeRequests: OPENCODE_REQUESTS };
}, 60_000);
afterAll(() => client?.kill());

describe("fuzzing the LSP front", () => {
  it(`survives ${FRAMES} malformed and type-confused frames (seed ${SEED})`, async () => {
    const frames: FuzzFrame[] = fc.sample(frameArbitrary(targets), { seed: SEED, numRuns: FRAMES }).map((build, n) => build(n));
    const splits = fc.sample(fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 64, maxLength: 64 }), { seed: SEED + 1, numRuns: Math.ceil(FRAMES / BATCH) });
    const byKind = new Map<string, number>();
    const methods = new Set<string>();
    const faults: string[] = [];
    let expected = 0;

    for (let b = 0; b * BATCH < frames.length; b++) {
      const batch = frames.slice(b * BATCH, (b + 1) * BATCH);
      const ids: string[] = [];
      let inStep = true; // the batch follows the last one's health request
      for (const f of batch) {
        if (f.kind === "lower-case header" && !inStep) f.expectsAnswer = false;
        inStep = f.clean;
        byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
        if (f.method) methods.add(f.method);
        if (f.expectsAnswer) ids.push(f.id!);
      }
      expected += ids.length;
      const health = `health-${b}`;
      write(Buffer.concat([...batch.map((f) => f.bytes), rawRequest(health, "opencode/health")]), splits[b]!);
      const deadline = Date.now() + ANSWER_BOUND_MS;
      const report = await checker.waitFor(health, deadline);
      if (!report?.result || typeof report.result.uptimeMs !== "number") faults.push(`batch ${b}: opencode/health not answered (${JSON.stringify(report)?.slice(0, 200)})`);
      for (const id of ids) if (!(await checker.waitFor(id, deadline))) faults.push(`batch ${b}: no answer to ${id} (${batch.find((f) => f.id === id)!.describe})`);
      if (client.child.exitCode !== null) {
        faults.push(`batch ${b}: the server exited (${client.child.exitCode})`);
        break;
      }
    }

    faults.push(...checker.problems.map((p) => `stdout: ${p}`));
    faults.push(...ownFailures(client.stderr, checker.logMessages));
    const summary = {
      seed: SEED,
      frames: frames.length,
      byKind: Object.fromEntries([...byKind].sort()),
      methodsCovered: methods.size,
      requestsExpectingAnswers: expected,
      answersByOutcome: Object.fromEntries([...checker.outcomes].sort()),
      internalErrors: [...new Set(checker.internalErrors)],
      framesOnStdout: checker.frames,
      deaths: client.child.exitCode === null ? 0 : 1,
      hangs: faults.filter((f) => f.includes("no answer") || f.includes("not answered")).length,
      invalidStdoutFrames: checker.problems.length,
      faults: faults.length,
    };
    if (process.env.FUZZ_LOG) writeFileSync(process.env.FUZZ_LOG, client.stderr); // the server's log, to look into a fault
    console.log(`LSP fuzz summary\n${JSON.stringify(summary, null, 2)}${faults.length ? `\nfaults:\n${faults.slice(0, 400).join("\n")}` : ""}`);

    for (const method of [...targets.commands.map((c) => `workspace/executeCommand ${c}`), ...OPENCODE_REQUESTS]) expect(methods).toContain(method);
    expect(frames.length).toBeGreaterThanOrEqual(2_000);
    expect(faults).toEqual([]);
    // Still a working server afterwards.
    expect((await client.request("opencode/health")).uptimeMs).toBeTypeOf("number");
  }, 900_000);
});

function rawRequest(id: string, method: string): Buffer {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id, method }));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

/** Writes `bytes` in chunks of the given sizes (cycled), as a pipe may deliver them. */
function write(bytes: Buffer, sizes: number[]): void {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    client.writeRaw(bytes.subarray(at, at + size));
    at += size;
  }
}

/** The server saying its own code failed: error-level log lines, handlers that threw (logMessage errors). */
function ownFailures(stderr: string, logMessages: { type: number; message: string }[]): string[] {
  const out: string[] = [];
  for (const line of stderr.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string }; method?: string };
      if (entry.level >= 50) out.push(`log: ${entry.msg}${entry.method ? ` (${entry.method})` : ""}${entry.err?.message ? `: ${entry.err.message}` : ""}`);
    } catch {
      // not a log line
    }
  }
  for (const m of logMessages) if (m.type === 1) out.push(`window/logMessage error: ${m.message.slice(0, 300)}`);
  return out;
}

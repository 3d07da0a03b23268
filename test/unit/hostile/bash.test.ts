// Hostile input through the bash tool: secrets from the environment, processes meant to outlive
// the command, floods of output and processes, and command lines built to ride an allow rule
// written for their first word. (/proc/<server>/environ through the built server: test/integration/
// hostile-environ.test.ts.)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect } from "vitest";
import { DEFAULT_LIMITS } from "../../../server/sandbox/limits.ts";
import { userTaskCount } from "../../../server/sandbox/proc-table.ts";
import { bashTool, ToolRegistry, type PermissionsConfig } from "../../../server/tools/index.ts";
import { which } from "../../../server/sandbox/limits.ts";
import { hostileSuite } from "../../support/hostile.ts";
import { isAlive, makeWorkspace, waitFor, type TempWorkspace } from "../../support/tools/workspace.ts";

let ws: TempWorkspace;
const allow: PermissionsConfig = { edit: "allow", bash: "allow", read: "allow", webfetch: "deny" };
const tool = (options: Parameters<typeof bashTool>[0] = {}, permissions: PermissionsConfig = allow) =>
  new ToolRegistry({ tools: [bashTool({ killGraceMs: 200, maxOutputBytes: 8192, ...options })], config: { permissions } });
const bash = tool();
const pidsIn = (output: string) => [...output.matchAll(/PID=(\d+)/g)].map((m) => Number(m[1]));
const planted = { OPENAI_API_KEY: "sk-planted-openai-0123456789", MY_SERVICE_TOKEN: "planted-token-0123", DB_PASSWORD: "planted-password-0123" };

beforeAll(() => {
  ws = makeWorkspace({ "keep.txt": "keep\n" });
  Object.assign(process.env, planted);
});
afterAll(() => {
  for (const name of Object.keys(planted)) delete process.env[name];
  ws.cleanup();
});

const hostile = hostileSuite("bash");

describe("secrets in the environment", () => {
  const leaks = (output: string) => Object.values(planted).filter((v) => output.includes(v));
  hostile("env prints none of the server's secrets", async () => {
    const result = await bash.run("bash", { command: "env" }, ws.ctx());
    expect(result.output).toContain("PATH=");
    expect(leaks(result.output)).toEqual([]);
  });
  hostile("/proc/self/environ holds none of them", async () => {
    const result = await bash.run("bash", { command: "cat /proc/self/environ | tr '\\0' '\\n'" }, ws.ctx());
    expect(result.output).toContain("PATH=");
    expect(leaks(result.output)).toEqual([]);
  });
  hostile("a child started with `env` keeps none of them", async () => {
    const result = await bash.run("bash", { command: "sh -c 'printenv OPENAI_API_KEY MY_SERVICE_TOKEN DB_PASSWORD; echo done'" }, ws.ctx());
    expect(result.output).toContain("done");
    expect(leaks(result.output)).toEqual([]);
  });
});

describe("processes that outlive the command", () => {
  const cases: [string, string][] = [
    ["a background job (&)", "sleep 300 & echo PID=$!"],
    ["nohup", "nohup sleep 300 >/dev/null 2>&1 & echo PID=$!"],
    ["disown", "sleep 300 & echo PID=$!; disown"],
    ["setsid (leaves the process group and session)", "setsid sleep 300 & echo PID=$!; sleep 0.2"],
    ["setsid -f", "setsid -f sh -c 'echo PID=$$; exec sleep 300'; sleep 0.2"],
    ["job control (set -m gives the job its own group)", "set -m; sleep 300 & echo PID=$!; sleep 0.2"],
    ["a double fork (the grandchild lands with init)", "(sleep 300 & echo PID=$!) ; sleep 0.2"],
    ["a double fork after setsid", "(setsid sh -c 'echo PID=$$; exec sleep 300' &) ; sleep 0.2"],
    ["a daemon that ignores SIGTERM and SIGHUP", "setsid sh -c 'trap \"\" TERM HUP; echo PID=$$; while :; do sleep 1; done' & sleep 0.2"],
    ["a child with a cleared environment under a setsid parent", "setsid sh -c 'env -i sleep 300 & echo PID=$!; wait' & sleep 0.2"],
  ];
  for (const [label, command] of cases) {
    hostile(label, async () => {
      const result = await bash.run("bash", { command }, ws.ctx());
      expect(result.status).toBe("completed");
      const pids = pidsIn(result.output);
      expect(pids.length, result.output).toBeGreaterThan(0);
      for (const pid of pids) expect(await waitFor(() => !isAlive(pid), 2000), `pid ${pid} survived: ${command}`).toBe(true);
    });
  }
  hostile("setsid children die on timeout too", async () => {
    const result = await bash.run("bash", { command: "setsid sleep 300 & echo PID=$!; sleep 300", timeout: 400 }, ws.ctx());
    expect(result.output).toMatch(/timed out/);
    for (const pid of pidsIn(result.output)) expect(await waitFor(() => !isAlive(pid), 2000)).toBe(true);
  });
  hostile("setsid children die on cancel too", async () => {
    const controller = new AbortController();
    const pending = bash.run("bash", { command: "setsid -f sh -c 'echo PID=$$; exec sleep 300'; sleep 300" }, ws.ctx({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 400);
    const result = await pending;
    expect(result.output).toMatch(/cancelled/);
    const pids = pidsIn(result.output);
    expect(pids.length).toBe(1);
    for (const pid of pids) expect(await waitFor(() => !isAlive(pid), 2000)).toBe(true);
  });
});

describe("floods", () => {
  hostile("an endless output flood is stopped, not run to the timeout", async () => {
    const started = Date.now();
    const result = await tool({ floodBytes: 8 * 1024 * 1024 }).run("bash", { command: "yes flood", timeout: 60_000 }, ws.ctx());
    expect(result.status).toBe("failed");
    expect(result.output).toMatch(/output passed 8 MiB/);
    expect(result.output.length).toBeLessThan(12_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
  hostile("one enormous line is capped", async () => {
    const result = await bash.run("bash", { command: "head -c 20000000 /dev/zero | tr '\\0' a; echo; echo END" }, ws.ctx());
    expect(result.output.length).toBeLessThan(12_000);
    expect(result.output).toMatch(/END/);
    expect(result.metadata?.truncated).toBe(true);
  }, 30_000);
  hostile("300 background processes all die with the command", async () => {
    const result = await tool({ maxOutputBytes: 64 * 1024 }).run("bash", { command: "for i in $(seq 1 300); do setsid sleep 300 & echo PID=$!; done; sleep 0.3" }, ws.ctx());
    const pids = pidsIn(result.output);
    expect(pids.length).toBe(300);
    expect(await waitFor(() => pids.every((pid) => !isAlive(pid)), 5000)).toBe(true);
  }, 30_000);
  // RLIMIT_NPROC counts a user's processes and the kernel does not apply it to root: as root the
  // flood runs as `nobody` (setpriv), with the limit the sandbox put on the command.
  const root = process.getuid?.() === 0;
  const setpriv = which("setpriv");
  hostile("a fork flood stops at the process limit, and all of it dies", async () => {
    if (root && !setpriv) return; // cannot drop to another user here: nothing to show
    const budget = 40;
    const processes = root ? budget : userTaskCount(process.getuid!()) + budget;
    const flood = "for i in $(seq 1 400); do (echo PID=$BASHPID; exec sleep 300) & done 2>/dev/null; wait";
    const command = root ? `${setpriv} --reuid=65534 --regid=65534 --clear-groups bash -c '${flood}'` : flood;
    const result = await tool({ limits: { ...DEFAULT_LIMITS, processes }, maxOutputBytes: 64 * 1024 }).run("bash", { command, timeout: 4000 }, ws.ctx());
    const pids = pidsIn(result.output);
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.length).toBeLessThanOrEqual(budget);
    expect(await waitFor(() => pids.every((pid) => !isAlive(pid)), 5000)).toBe(true);
  }, 30_000);
});

describe("command lines that ride an allow rule for their first word", () => {
  // `git *` is allowed; nobody can be asked, so whatever needs asking is not run.
  const rules: PermissionsConfig = { ...allow, bash: { "git *": "allow", "git status *": "allow", "rm *": "deny" } };
  const gated = tool({}, rules);
  beforeEach(() => ws.write("victim.txt", "still here\n"));
  const lines: [string, string][] = [
    ["; then another command", "git status; rm -f victim.txt"],
    ["&&", "git status && rm -f victim.txt"],
    ["||", "git status || rm -f victim.txt"],
    ["a pipe into a shell", "git status | sh -c 'rm -f victim.txt'"],
    ["& (background, then another command)", "git status & rm -f victim.txt"],
    ["$(…) substitution", "git status $(rm -f victim.txt)"],
    ["backticks", "git status `rm -f victim.txt`"],
    ["a newline", "git status\nrm -f victim.txt"],
    ["a line continuation before &&", "git status \\\n&& rm -f victim.txt"],
    ["process substitution", "git diff <(rm -f victim.txt)"],
    ["$'…' quoting with an escaped quote", "git status $'a\\'b' ; rm -f victim.txt"],
    ["a comment holding a quote, then a newline", "git status # don't\nrm -f victim.txt"],
    ["a here-document running $(…)", "git status <<EOF\n$(rm -f victim.txt)\nEOF"],
    ["output redirected into a file", "git status > victim.txt"],
    ["stderr redirected into a file", "git status 2> victim.txt"],
    ["&> into a file", "git status &> victim.txt"],
    [">& into a file", "git log >& victim.txt"],
    [">> appended to a file", "git log >> victim.txt"],
  ];
  for (const [label, command] of lines) {
    hostile(label, async () => {
      const result = await gated.run("bash", { command }, ws.ctx());
      expect(result.status, result.output).toBe("failed");
      expect(result.output).toMatch(/Permission (required|denied)/);
      expect(ws.readText("victim.txt")).toBe("still here\n");
    });
  }
  hostile("a denied command inside a substitution is denied, not asked", async () => {
    const result = await gated.run("bash", { command: "git log $(rm -rf victim.txt)" }, ws.ctx({ ask: async () => "allow_once" }));
    expect(result.output).toMatch(/Permission denied by configuration/);
    expect(existsSync(join(ws.root, "victim.txt"))).toBe(true);
  });
});

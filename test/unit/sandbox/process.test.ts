import { execSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HeadTailBuffer, runCommand } from "../../../server/sandbox/process.ts";
import { scrubEnv, isSecretName } from "../../../server/sandbox/env.ts";
import { withLimits, which } from "../../../server/sandbox/limits.ts";
import { isAlive, tempDir, waitFor } from "../../support/tools/workspace.ts";

const root = tempDir("opencode-sandbox-");
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bash = (command: string, extra: Partial<Parameters<typeof runCommand>[0]> = {}) =>
  runCommand({ argv: ["bash", "-c", command], cwd: root, root, killGraceMs: 200, ...extra });

function pidsIn(output: string): number[] {
  return [...output.matchAll(/PID=(\d+)/g)].map((m) => Number(m[1]));
}

describe("runCommand", () => {
  it("runs a command in the workspace and reports its exit code", async () => {
    const result = await bash("pwd; echo err >&2; exit 3");
    expect(result.exitCode).toBe(3);
    expect(result.output).toContain(root);
    expect(result.output).toContain("err");
    expect(result.timedOut).toBe(false);
  });

  it("runs in a subdirectory and refuses a cwd outside the root", async () => {
    mkdirSync(join(root, "sub"), { recursive: true });
    const result = await bash("pwd", { cwd: join(root, "sub") });
    expect(result.output.trim()).toBe(join(root, "sub"));
    await expect(bash("pwd", { cwd: "/tmp" })).rejects.toThrow(/outside the workspace/);
  });

  it("runs the command in its own process group", async () => {
    const result = await bash("ps -o pgid= -p $$; echo PID=$$");
    const [pgid] = result.output.trim().split(/\s+/);
    expect(Number(pgid)).toBe(result.pid);
    expect(Number(pgid)).not.toBe(process.pid);
  });

  it("times out and kills the whole process group", async () => {
    const started = Date.now();
    const result = await bash("sleep 300 & echo PID=$!; (sleep 301 & echo PID=$!; wait) & sleep 302", { timeoutMs: 400 });
    expect(result.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    const pids = pidsIn(result.output);
    expect(pids.length).toBe(2);
    for (const pid of pids) expect(await waitFor(() => !isAlive(pid))).toBe(true);
    expect(await waitFor(() => !isAlive(result.pid!))).toBe(true);
  });

  it("kills background children when the command itself ends", async () => {
    const result = await bash("sleep 300 & echo PID=$!; exit 0");
    expect(result.exitCode).toBe(0);
    const [pid] = pidsIn(result.output);
    expect(pid).toBeDefined();
    expect(await waitFor(() => !isAlive(pid!))).toBe(true);
  });

  it("cancellation through the AbortSignal kills the group", async () => {
    const controller = new AbortController();
    const promise = bash("sleep 300 & echo PID=$!; sleep 300", { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const result = await promise;
    expect(result.cancelled).toBe(true);
    const [pid] = pidsIn(result.output);
    expect(pid).toBeDefined();
    expect(await waitFor(() => !isAlive(pid!))).toBe(true);
  });

  it("does not start when already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await bash("echo should-not-run", { signal: controller.signal });
    expect(result.cancelled).toBe(true);
    expect(result.pid).toBeUndefined();
    expect(result.output).toBe("");
  });

  it("caps output keeping head and tail", async () => {
    const result = await bash("echo START; head -c 200000 /dev/zero | tr '\\0' x; echo; echo END", { maxOutputBytes: 2000 });
    expect(result.truncated).toBe(true);
    expect(result.totalBytes).toBeGreaterThan(200000);
    expect(result.output.startsWith("START")).toBe(true);
    expect(result.output.trimEnd().endsWith("END")).toBe(true);
    expect(result.output).toMatch(/bytes of output omitted/);
    expect(result.output.length).toBeLessThan(2200);
  });

  it("scrubs API keys and tokens from the environment", async () => {
    const baseEnv = {
      PATH: process.env.PATH,
      OPENAI_API_KEY: "sk-secret-openai",
      ANTHROPIC_API_KEY: "sk-ant-secret",
      GITHUB_TOKEN: "ghp_secret",
      AWS_ACCESS_KEY_ID: "AKIA",
      AWS_SECRET_ACCESS_KEY: "aws-secret",
      MY_SECRET: "s3cret",
      DB_PASSWORD: "pw",
      HARMLESS: "visible",
    };
    const result = await bash("env", { baseEnv, env: { EXTRA_TOKEN: "sneaky", EXTRA_OK: "fine" } });
    expect(result.output).toContain("HARMLESS=visible");
    expect(result.output).toContain("EXTRA_OK=fine");
    for (const secret of ["sk-secret-openai", "sk-ant-secret", "ghp_secret", "AKIA", "aws-secret", "s3cret", "pw\n", "sneaky"]) {
      expect(result.output).not.toContain(secret);
    }
    expect(result.output).toContain("GIT_TERMINAL_PROMPT=0");
  });

  it("passes the command as an argv element, never through a string we build", async () => {
    const marker = join(root, "injected");
    const result = await runCommand({ argv: ["echo", `; touch ${marker}`, "$(touch x)"], cwd: root, root });
    expect(result.output.trim()).toBe(`; touch ${marker} $(touch x)`);
    expect(existsSync(marker)).toBe(false);
  });

  it("applies CPU and memory limits", async () => {
    const result = await bash("ulimit -t; ulimit -d", { limits: { cpuSeconds: 7, memoryBytes: 512 * 1024 * 1024 } });
    expect(result.output.split("\n").slice(0, 2)).toEqual(["7", String(512 * 1024)]);
  });

  it("a memory hog fails under the memory limit", async () => {
    const result = await runCommand({
      argv: [process.execPath, "-e", "const a=[]; for(;;) a.push(Buffer.alloc(50e6, 1))"],
      cwd: root,
      root,
      limits: { memoryBytes: 300 * 1024 * 1024 },
      timeoutMs: 20_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode === 0).toBe(false);
  });

  it("the ulimit fallback applies the same limits", async () => {
    const result = await bash("ulimit -t; ulimit -d", { limits: { cpuSeconds: 9, memoryBytes: 256 * 1024 * 1024 }, limitMethod: "ulimit" });
    expect(result.output.split("\n").slice(0, 2)).toEqual(["9", String(256 * 1024)]);
  });

  it("reports a program that cannot be started", async () => {
    const result = await runCommand({ argv: ["/nonexistent/program"], cwd: root, root, limitMethod: "none" });
    expect(result.exitCode).toBeNull();
    expect(result.output).toMatch(/failed to start/);
  });
});

describe("helpers", () => {
  it("HeadTailBuffer keeps everything under the cap", () => {
    const buffer = new HeadTailBuffer(100);
    buffer.push(Buffer.from("hello "));
    buffer.push(Buffer.from("world"));
    expect(buffer.truncated).toBe(false);
    expect(buffer.toString()).toBe("hello world");
  });

  it("HeadTailBuffer keeps the head and the tail of a long stream", () => {
    const buffer = new HeadTailBuffer(20);
    for (let i = 0; i < 100; i++) buffer.push(Buffer.from(String(i % 10)));
    expect(buffer.truncated).toBe(true);
    const text = buffer.toString();
    expect(text.startsWith("0123456789")).toBe(true);
    expect(text.endsWith("0123456789")).toBe(true);
    expect(text).toContain("80 bytes of output omitted");
  });

  it("isSecretName", () => {
    for (const name of ["OPENAI_API_KEY", "GH_TOKEN", "AWS_REGION", "CLIENT_SECRET", "PGPASSWORD", "ANTHROPIC_BASE_URL", "SSH_PRIVATE_KEY"]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ["PATH", "HOME", "LANG", "SSH_AUTH_SOCK", "NODE_ENV", "TERM"]) expect(isSecretName(name), name).toBe(false);
    expect(scrubEnv({ A: "1", X_API_KEY: "k" })).toMatchObject({ A: "1" });
    expect(scrubEnv({ A: "1", X_API_KEY: "k" }).X_API_KEY).toBeUndefined();
  });

  it("withLimits wraps argv without touching it", () => {
    const argv = ["bash", "-c", "echo '$1' \"; rm -rf /\""];
    const wrapped = withLimits(argv, { cpuSeconds: 5, memoryBytes: 1024 }, "prlimit");
    expect(wrapped.slice(-3)).toEqual(argv);
    expect(wrapped).toContain("--cpu=5");
    const viaUlimit = withLimits(argv, { cpuSeconds: 5 }, "ulimit");
    expect(viaUlimit.slice(-3)).toEqual(argv);
    expect(withLimits(argv, {}, "none")).toEqual(argv);
    expect(which("definitely-not-a-program-xyz")).toBeNull();
    expect(withLimits(argv, { processes: 300 }, "prlimit")).toContain("--nproc=300");
  });

  it("the ulimit fallback sets the process limit and leaves unset limits as they are", async () => {
    const result = await bash("ulimit -u; ulimit -t; ulimit -f", { limits: { processes: 4321 }, limitMethod: "ulimit" });
    const [nproc, cpu, fsize] = result.output.trim().split("\n");
    expect(nproc).toBe("4321");
    expect(cpu).toBe(execSync("bash -c 'ulimit -t'").toString().trim());
    expect(fsize).toBe(execSync("bash -c 'ulimit -f'").toString().trim());
  });
});

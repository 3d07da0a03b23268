// The audit log: hash-chained JSON lines through pino; verification finds every kind of tampering.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { audit, auditCommand, AuditLog, configureAudit, defaultAuditPath, GENESIS, setAuditLog, verifyAuditLog } from "../../../server/privacy/audit.ts";

const dir = () => mkdtempSync(join(tmpdir(), "audit-"));

function writeLog(path: string, n: number): void {
  const log = new AuditLog(path);
  for (let i = 0; i < n; i++) log.record({ event: "provider.contacted", provider: "ollama", host: "127.0.0.1:11434", i });
  log.close();
}

const lines = (path: string) => readFileSync(path, "utf8").trimEnd().split("\n");

afterEach(() => setAuditLog(undefined));

describe("audit log", () => {
  it("writes one JSON object per line, chained by hash from the genesis, mode 0600", () => {
    const path = join(dir(), "nested", "audit.jsonl");
    writeLog(path, 3);
    const entries = lines(path).map((l) => JSON.parse(l));
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ v: 1, seq: 1, event: "provider.contacted", prev: GENESIS });
    expect(entries[1].prev).toBe(entries[0].hash);
    expect(entries[2].prev).toBe(entries[1].hash);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 3 });
  });

  it("continues the chain across processes (a new AuditLog on the same file)", () => {
    const path = join(dir(), "audit.jsonl");
    writeLog(path, 2);
    writeLog(path, 2);
    expect(lines(path).map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4]);
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 4 });
  });

  it("a modified line is detected, naming the line", () => {
    const path = join(dir(), "audit.jsonl");
    writeLog(path, 4);
    const l = lines(path);
    l[2] = l[2]!.replace("127.0.0.1:11434", "127.0.0.1:11435");
    writeFileSync(path, `${l.join("\n")}\n`);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, brokenAt: 3, entries: 2, reason: expect.stringMatching(/line 3 was modified/) });
  });

  it("a modified line with a recomputed hash still breaks the link to the next line", async () => {
    const { entryHash } = await import("../../../server/privacy/audit.ts");
    const path = join(dir(), "audit.jsonl");
    writeLog(path, 3);
    const l = lines(path);
    const forged = JSON.parse(l[1]!);
    forged.host = "evil.example:443";
    forged.hash = entryHash(forged);
    l[1] = JSON.stringify(forged);
    writeFileSync(path, `${l.join("\n")}\n`);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, brokenAt: 3, reason: expect.stringMatching(/does not follow/) });
  });

  it("a removed, a reordered and an unparsable line are detected", () => {
    for (const [mutate, brokenAt] of [
      [(l: string[]) => l.splice(1, 1), 2],
      [(l: string[]) => l.splice(0, 2, l[1]!, l[0]!), 1],
      [(l: string[]) => (l[3] = "{not json"), 4],
    ] as const) {
      const path = join(dir(), "audit.jsonl");
      writeLog(path, 5);
      const l = lines(path);
      mutate(l);
      writeFileSync(path, `${l.join("\n")}\n`);
      expect(verifyAuditLog(path)).toMatchObject({ ok: false, brokenAt });
    }
  });

  it("a missing file is not ok", () => {
    expect(verifyAuditLog(join(dir(), "nope.jsonl"))).toMatchObject({ ok: false, entries: 0, reason: expect.stringMatching(/no audit log/) });
  });

  it("redacts secrets in fields", () => {
    const path = join(dir(), "audit.jsonl");
    const log = new AuditLog(path);
    log.record({ event: "permission.asked", tool: "bash", subjects: ["curl -H 'Authorization: Bearer abcdefghijklmnop1234'"] });
    log.close();
    expect(readFileSync(path, "utf8")).not.toContain("abcdefghijklmnop1234");
    expect(verifyAuditLog(path).ok).toBe(true);
  });

  it("audit() is a no-op until configured; configureAudit follows audit.enabled", () => {
    const base = dir();
    const env = { XDG_STATE_HOME: base };
    expect(audit({ event: "share.created" })).toBeUndefined();
    expect(configureAudit({ audit: { enabled: false } }, env)).toBeUndefined();
    const log = configureAudit({ audit: { enabled: true } }, env)!;
    expect(log.path).toBe(defaultAuditPath(env));
    expect(audit({ event: "share.created" })).toMatchObject({ seq: 1 });
    configureAudit({ audit: { enabled: false } }, env);
    expect(audit({ event: "share.created" })).toBeUndefined();
    expect(verifyAuditLog(defaultAuditPath(env))).toEqual({ ok: true, entries: 1 });
  });

  it("auditCommand verify: exit 0 intact, 1 broken, 2 usage", async () => {
    const path = join(dir(), "audit.jsonl");
    writeLog(path, 2);
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    expect(await auditCommand(["verify", "--file", path], io)).toBe(0);
    expect(out.join("")).toMatch(/ok: 2 entries/);
    writeFileSync(path, readFileSync(path, "utf8").replace('"seq":2', '"seq":3'));
    expect(await auditCommand(["verify", `--file=${path}`, "--json"], io)).toBe(1);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ ok: false, brokenAt: 2 });
    expect(await auditCommand(["frobnicate"], io)).toBe(2);
  });
});

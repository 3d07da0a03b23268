// Linking a workspace file to its shared doc (in process, against a real sync server): machines
// with the same base never double it; what each changed before linking merges; a machine whose
// base differs takes the shared text and says so; after linking, deltas flow both ways and the
// session's undo (revert) still works on the machine that made the edit.
import { DEFAULTS } from "../../../server/config/defaults.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Workspace } from "../../../server/sessions/workspace.ts";
import { SyncConnection } from "../../../server/sync/connection.ts";
import { FileBases } from "../../../server/sync/file-bases.ts";
import { FileSync } from "../../../server/sync/file-sync.ts";
import { startSyncServer, type SyncServer } from "../../../server/sync/serve.ts";
import { TOKEN, until } from "../../support/sync.ts";

let server: SyncServer | undefined;
const disposers: (() => void)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) d();
  await server?.close();
  server = undefined;
});

const BASE = "line one\nline two\nline three\n";

function machine(url: string, text = BASE) {
  const root = mkdtempSync(join(tmpdir(), "file-sync-"));
  const abs = join(root, "notes.txt");
  writeFileSync(abs, text);
  const written: string[] = [];
  const workspace = new Workspace({ writeFile: async (_abs, t) => void written.push(t), timing: () => DEFAULTS.edits });
  const bases = new FileBases(workspace);
  const link = new SyncConnection({ url, token: TOKEN, room: "team", machine: root });
  const warnings: string[] = [];
  const files = new FileSync({ workspace, connection: link, bases, room: "team", warn: (m) => warnings.push(m) });
  disposers.push(() => {
    files.dispose();
    link.destroy();
    workspace.destroy();
  });
  return { abs, workspace, files, warnings, written };
}

describe("file sync", () => {
  it("same base on both machines: not doubled; each one's earlier changes merge; later ones flow both ways; revert stays local to the session", async () => {
    server = await startSyncServer({ token: TOKEN });
    const a = machine(server.url);
    const b = machine(server.url);
    // Both take the file in, then change it before it is shared.
    await a.workspace.read(a.abs, "s1", true);
    await a.workspace.write(a.abs, BASE.replace("line two", "line 2 (A's session)"), "s1");
    await b.workspace.read(b.abs, "s2", true);
    await b.workspace.write(b.abs, `${BASE}line four (B)\n`, "s2");
    await a.files.link(a.abs, "notes.txt");
    await b.files.link(b.abs, "notes.txt");
    const merged = "line one\nline 2 (A's session)\nline three\nline four (B)\n";
    await until("both merged", () => a.workspace.textOf(a.abs) === merged && b.workspace.textOf(b.abs) === merged);
    expect(a.warnings).toEqual([]);
    expect(b.warnings).toEqual([]);
    // Session s1 (on A) reverts: its edit goes on both, B's stays.
    await a.workspace.revert("s1");
    const reverted = `${BASE}line four (B)\n`;
    await until("revert reached B", () => b.workspace.textOf(b.abs) === reverted);
    expect(a.workspace.textOf(a.abs)).toBe(reverted);
    await until("B's disk follows (the file is not open there)", () => b.written.at(-1) === reverted);
  });

  it("a machine whose base differs takes the shared text and is told", async () => {
    server = await startSyncServer({ token: TOKEN });
    const a = machine(server.url);
    await a.files.link(a.abs, "notes.txt");
    const b = machine(server.url, "something else entirely\n");
    await b.workspace.take(b.abs);
    await b.files.link(b.abs, "notes.txt");
    expect(b.workspace.textOf(b.abs)).toBe(BASE);
    expect(b.warnings).toEqual([expect.stringContaining("notes.txt here differed")]);
    expect(await a.files.textOf("notes.txt")).toBe(BASE);
  });
});

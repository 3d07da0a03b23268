// The client's buffers as the workspace's open documents (ACP fs/read_text_file, fs/write_text_file),
// against a fake client: reads see unsaved text, a session's write from an old read merges with the
// user's typing since, revert undoes the session alone, and files the client has no buffer for (or
// cannot write) stay with the disk.
import { DEFAULTS } from "../../../server/config/defaults.ts";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as acp from "@agentclientprotocol/sdk";
import { describe, expect, it } from "vitest";
import { ClientBuffers } from "../../../server/acp/client-buffers.ts";
import { createLogger } from "../../../server/log.ts";
import { Workspace } from "../../../server/sessions/workspace.ts";

class FakeClient {
  readonly buffers = new Map<string, string>();
  readonly calls: { method: string; params: any }[] = [];
  failWrites = false;

  async request(method: string, params: any): Promise<unknown> {
    this.calls.push({ method, params });
    if (method === "fs/read_text_file") {
      const text = this.buffers.get(params.path);
      if (text === undefined) throw new Error("Resource not found");
      return { content: text };
    }
    if (this.failWrites) throw new Error("refused");
    this.buffers.set(params.path, params.content);
    return {};
  }

  writes(): string[] {
    return this.calls.filter((c) => c.method === "fs/write_text_file").map((c) => c.params.content);
  }
}

function setup(fs: acp.FileSystemCapabilities = { readTextFile: true, writeTextFile: true }) {
  const root = mkdtempSync(join(tmpdir(), "buffers-"));
  const abs = join(root, "f.ts");
  writeFileSync(abs, "one\ntwo\n");
  const client = new FakeClient();
  const workspace = new Workspace({ writeFile: (path, text) => writeFile(path, text), timing: () => DEFAULTS.edits });
  new ClientBuffers({ client: () => client as unknown as acp.AgentContext, fs: () => fs, log: createLogger({ level: "silent" }) }).attach(workspace);
  return { abs, client, workspace };
}

describe("ACP client buffers as the workspace's open documents", () => {
  it("a session reads the unsaved buffer; its write from an old read merges with the typing since", async () => {
    const { abs, client, workspace } = setup();
    client.buffers.set(abs, "one\ntwo\n// unsaved\n");
    const seen = await workspace.read(abs, "s1", true);
    expect(seen).toBe("one\ntwo\n// unsaved\n");
    expect(client.calls[0]).toEqual({ method: "fs/read_text_file", params: { sessionId: "s1", path: abs } });

    client.buffers.set(abs, `// typed first\n${client.buffers.get(abs)}`); // the user goes on typing
    await workspace.write(abs, seen!.replace("two", "TWO"), "s1");
    expect(client.writes()).toEqual(["// typed first\none\nTWO\n// unsaved\n"]);
    expect(workspace.textOf(abs)).toBe("// typed first\none\nTWO\n// unsaved\n");
    expect(readFileSync(abs, "utf8")).toBe("one\ntwo\n"); // never the disk

    await workspace.revert("s1");
    expect(client.writes().at(-1)).toBe("// typed first\none\ntwo\n// unsaved\n");
  });

  it("two sessions: the second writes from the version it read, and both edits land", async () => {
    const { abs, client, workspace } = setup();
    client.buffers.set(abs, "one\ntwo\n");
    const a = (await workspace.read(abs, "A", true))!;
    const b = (await workspace.read(abs, "B", true))!;
    await workspace.write(abs, a.replace("one", "ONE"), "A");
    await workspace.write(abs, b.replace("two", "TWO"), "B");
    expect(client.buffers.get(abs)).toBe("ONE\nTWO\n");
  });

  it("a file the client has no buffer for is read from disk; a refused write goes to disk", async () => {
    const { abs, client, workspace } = setup();
    expect(await workspace.read(abs, "s1", true)).toBe("one\ntwo\n"); // the client answered "not found"
    await workspace.write(abs, "one\ntwo\nthree\n", "s1");
    expect(readFileSync(abs, "utf8")).toBe("one\ntwo\nthree\n");
    expect(client.writes()).toEqual([]);

    const other = setup();
    other.client.buffers.set(other.abs, "one\ntwo\n");
    other.client.failWrites = true;
    await other.workspace.read(other.abs, "s1", true);
    await other.workspace.write(other.abs, "one\n", "s1");
    expect(readFileSync(other.abs, "utf8")).toBe("one\n");
  });

  it("a client that writes but does not read: the disk is the buffer, changes go out as writes", async () => {
    const { abs, client, workspace } = setup({ writeTextFile: true });
    await workspace.read(abs, "s1", true);
    await workspace.write(abs, "one\n2\n", "s1");
    expect(client.writes()).toEqual(["one\n2\n"]);
    expect(client.calls.some((c) => c.method === "fs/read_text_file")).toBe(false);
  });
});

// MCP servers for tests: the real npm servers (server-everything, server-filesystem) run with the
// project's node, two faulty ones (exits at once, hangs on initialize), a remote one built on the
// SDK's own McpServer + StreamableHTTPServerTransport on 127.0.0.1, and process-table helpers.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const here = join(repo, "test", "support", "mcp");

export const EVERYTHING = [process.execPath, join(repo, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"];
export const filesystemServer = (dir: string) => [process.execPath, join(repo, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"), dir];
export const EXITS_AT_ONCE = [process.execPath, join(here, "exits-at-once.mjs")];
export const HANGS_ON_INITIALIZE = [process.execPath, join(here, "hangs-on-initialize.mjs")];

export interface RemoteMcp {
  url: string;
  /** Headers of every request received. */
  headers: IncomingHttpHeaders[];
  calls: string[];
  close(): Promise<void>;
}

/** A Streamable HTTP MCP server (the SDK's own, stateful) with an `add` and a `whoami` tool. */
export async function startRemoteMcp(): Promise<RemoteMcp> {
  const headers: IncomingHttpHeaders[] = [];
  const calls: string[] = [];
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const newServer = () => {
    const server = new McpServer({ name: "remote-test", version: "1.0.0" });
    server.registerTool("add", { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => {
      calls.push(`add ${a} ${b}`);
      return { content: [{ type: "text", text: String(a + b) }] };
    });
    server.registerResource("motd", "remote://motd", { description: "The message of the day" }, async (uri) => ({ contents: [{ uri: uri.href, text: "hello" }] }));
    return server;
  };
  const http = createServer(async (req, res) => {
    headers.push(req.headers);
    const id = req.headers["mcp-session-id"];
    let transport = typeof id === "string" ? transports.get(id) : undefined;
    if (!transport) {
      if (typeof id === "string") {
        res.writeHead(404).end();
        return;
      }
      const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (sid) => void transports.set(sid, created) });
      await newServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    headers,
    calls,
    async close() {
      for (const t of transports.values()) await t.close().catch(() => undefined);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (just freed). */
export async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface Proc {
  pid: number;
  pgid: number;
  ppid: number;
  cmdline: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z") continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      out.push({ pid: Number(entry), pgid: Number(pgrp), ppid: Number(ppid), cmdline });
    } catch {
      // gone
    }
  }
  return out;
}

/** Live processes whose command line contains `marker` (an MCP server's script path, a temp dir). */
export function processesMatching(marker: string): Proc[] {
  return processes().filter((p) => p.cmdline.includes(marker) && p.pid !== process.pid && !p.cmdline.includes("vitest"));
}

/** Live processes of a process group. */
export function liveInGroup(pgid: number): number[] {
  return processes().filter((p) => p.pgid === pgid).map((p) => p.pid);
}

/** Live processes whose working directory is `dir` (an MCP server started for that workspace). */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // gone, or not ours to look at
    }
  }
  return pids;
}

// Sessions across machines (issue 18), this machine's side: loaded by the agent runtime when the
// configuration has `sync` (nothing of it loads, and nothing leaves the machine, otherwise).
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { basename } from "node:path";
import type { Bus } from "../bus/bus.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../log.ts";
import type { SessionManager } from "../sessions/manager.ts";
import { SyncConnection, type SyncHealth } from "./connection.ts";
import type { FileBases } from "./file-bases.ts";
import { FileSync } from "./file-sync.ts";
import { TOKEN_ENV } from "./names.ts";
import { RoomSync } from "./room.ts";

export interface StartSyncOptions {
  config: NonNullable<Config["sync"]>;
  manager: SessionManager;
  bus: Bus;
  root: string;
  bases: FileBases;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface SyncRuntime {
  health(): SyncHealth & { sessions: number; files: number; peers: number };
  dispose(): void;
}

export async function startSync(options: StartSyncOptions): Promise<SyncRuntime> {
  const { config, manager, bus, root, log } = options;
  const env = options.env ?? process.env;
  const token = config.token ?? env[config.tokenEnv ?? TOKEN_ENV] ?? "";
  const room = config.room ?? basename(root).replace(/[^\w.-]/g, "_");
  const machine = `${hostname()}-${randomUUID().slice(0, 8)}`;
  const notice = (level: "error" | "warning", message: string) => bus.publish({ type: "notice", level, message });
  const connection = new SyncConnection({
    url: config.url,
    token,
    room,
    machine,
    ...(log ? { log } : {}),
    onRefused: (reason) =>
      notice("error", `opencode-lsp sync: ${config.url} refused this machine (${reason}): check sync.token / sync.tokenEnv${token ? "" : ` (no token set; ${config.tokenEnv ?? TOKEN_ENV} is empty)`}. Sessions stay on this machine.`),
  });
  const files = new FileSync({ workspace: manager.workspace, connection, bases: options.bases, room, ...(log ? { log } : {}), warn: (message) => notice("warning", message) });
  const roomSync = new RoomSync({ manager, bus, root, room, machine, connection, files, ...(log ? { log } : {}) });
  await roomSync.start();
  log?.info({ url: config.url, room, machine }, "sync: joined the room");
  return {
    health: () => ({ ...connection.health(), sessions: roomSync.size, files: files.size, peers: roomSync.peers }),
    dispose: () => {
      roomSync.dispose();
      files.dispose();
      options.bases.stop();
      connection.destroy();
    },
  };
}

// A 32-byte key kept in a 0600 file (created on first use, in a 0700 directory): the key of data at
// rest — sessions kept with retention "local", the sync server's opt-in persistence.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createKey, KEY_BYTES } from "./encryption.ts";

/** The XDG config directory of opencode-lsp (where key files live). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "opencode-lsp");
}

export function loadOrCreateKey(path: string): Buffer {
  let key: Buffer;
  if (existsSync(path)) {
    key = readFileSync(path);
  } else {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    key = createKey();
    writeFileSync(path, key, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  if (key.length !== KEY_BYTES) throw new Error(`${path} is not a ${KEY_BYTES}-byte key`);
  return key;
}

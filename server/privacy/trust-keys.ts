// Signing keys for signed model directories (offline mode): an ed25519 key pair kept under the XDG
// config directory (private key 0600 in a 0700 folder); its public half is written as
// `ed25519:<base64 of the 32 raw bytes>`, the form `offline.trustedKeys` takes.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmod, lstat, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** `$XDG_CONFIG_HOME/opencode-lsp/keys` (XDG_CONFIG_HOME defaults to ~/.config). */
export function keysDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "opencode-lsp", "keys");
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: "der", type: "spki" });
  return Buffer.from(der.subarray(der.length - 32));
}

/** `ed25519:<base64>` for a public key. */
export function formatPublicKey(key: KeyObject): string {
  return `ed25519:${rawPublicKey(key).toString("base64")}`;
}

/** A short stable id: the first 16 hex digits of SHA-256 of the raw public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256").update(rawPublicKey(publicKey)).digest("hex").slice(0, 16);
}

/** Parses `ed25519:<base64|base64url>` (or the bare base64 of 32 bytes); undefined when it is not one. */
export function parsePublicKey(text: string): KeyObject | undefined {
  const body = text.trim().replace(/^ed25519:/, "");
  if (!/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(body)) return undefined;
  const raw = Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface KeyInfo {
  name: string;
  keyId: string;
  publicKey: string;
  privateKeyPath: string;
  publicKeyPath: string;
}

/** Creates a key pair named `name`; refuses to replace an existing one. */
export async function createSigningKey(name = "default", env: NodeJS.ProcessEnv = process.env): Promise<KeyInfo> {
  if (!KEY_NAME.test(name)) throw new Error(`key name "${name}" may hold letters, digits, ".", "_" and "-" only`);
  const dir = keysDir(env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const privateKeyPath = join(dir, `${name}.key`);
  const publicKeyPath = join(dir, `${name}.pub`);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  try {
    await writeFile(privateKeyPath, pem, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new Error(`a key named "${name}" already exists (${privateKeyPath})`);
    throw error;
  }
  await chmod(privateKeyPath, 0o600);
  const formatted = formatPublicKey(publicKey);
  await writeFile(publicKeyPath, `${formatted}\n`, { mode: 0o644 });
  return { name, keyId: keyIdOf(publicKey), publicKey: formatted, privateKeyPath, publicKeyPath };
}

/** Loads a key pair by name; refuses a private key file that others can read. */
export async function loadSigningKey(name = "default", env: NodeJS.ProcessEnv = process.env): Promise<{ privateKey: KeyObject; publicKey: KeyObject; info: KeyInfo }> {
  if (!KEY_NAME.test(name)) throw new Error(`bad key name "${name}"`);
  const dir = keysDir(env);
  const privateKeyPath = join(dir, `${name}.key`);
  let stat;
  try {
    stat = await lstat(privateKeyPath);
  } catch {
    throw new Error(`no key named "${name}" (create one with \`opencode-lsp trust keygen --name ${name}\`)`);
  }
  if (!stat.isFile()) throw new Error(`${privateKeyPath} is not a regular file`);
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) throw new Error(`${privateKeyPath} is readable by others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  const privateKey = createPrivateKey(await readFile(privateKeyPath, "utf8"));
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`${privateKeyPath} is not an ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    info: { name, keyId: keyIdOf(publicKey), publicKey: formatPublicKey(publicKey), privateKeyPath, publicKeyPath: join(dir, `${name}.pub`) },
  };
}

/** The key pairs under keysDir. */
export async function listSigningKeys(env: NodeJS.ProcessEnv = process.env): Promise<KeyInfo[]> {
  let names: string[];
  try {
    names = (await readdir(keysDir(env))).filter((f) => f.endsWith(".key")).map((f) => f.slice(0, -4));
  } catch {
    return [];
  }
  const out: KeyInfo[] = [];
  for (const name of names.sort()) {
    try {
      out.push((await loadSigningKey(name, env)).info);
    } catch {
      // unreadable or loose permissions: not listed
    }
  }
  return out;
}

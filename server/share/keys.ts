// This installation's share signing key: ed25519, created on first share under the XDG config
// directory (`$XDG_CONFIG_HOME/opencode-lsp/share-key.pem`, default ~/.config), PKCS#8 PEM, mode 0600.
// The key id is the first 8 bytes of SHA-256 over the raw 32-byte public key, in hex: short enough to
// print and compare by eye, long enough that two installations do not collide by accident.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface ShareKey {
  privateKey: KeyObject;
  /** The raw 32-byte ed25519 public key. */
  publicKey: Buffer;
  keyId: string;
  path: string;
  /** True when this call created the key file. */
  created: boolean;
}

export function shareKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "opencode-lsp", "share-key.pem");
}

export function keyIdOf(publicKey: Uint8Array): string {
  return createHash("sha256").update(publicKey).digest("hex").slice(0, 16);
}

export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  if (jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("share key: not an ed25519 key");
  return Buffer.from(jwk.x, "base64url");
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
}

/** Loads the key at `path` (default: the XDG location), creating it (0600, directory 0700) if absent. */
export function loadOrCreateShareKey(options: { path?: string; env?: NodeJS.ProcessEnv } = {}): ShareKey {
  const path = options.path ?? shareKeyPath(options.env);
  let pem: string | undefined;
  let created = false;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`share key ${path}: ${(error as Error).message}`);
  }
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync("ed25519");
    const fresh = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(path, fresh, { mode: 0o600, flag: "wx" });
      pem = fresh;
      created = true;
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`share key ${path}: ${(error as Error).message}`);
      pem = readFileSync(path, "utf8");
    }
  } else if (process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, 0o600); // a private key readable by others: tighten it
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`share key ${path}: not a readable private key (${(error as Error).message})`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error(`share key ${path}: expected an ed25519 key, found ${privateKey.asymmetricKeyType}`);
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), path, created };
}

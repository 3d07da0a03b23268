// Signed model directories for offline mode. A signing key is an ed25519 key pair kept under the XDG
// config directory (private key 0600 in a 0700 folder); its public half is written as
// `ed25519:<base64 of the 32 raw bytes>`, the form `offline.trustedKeys` takes. `signModelDir` writes
// a manifest listing every file of a directory with its size and SHA-256, signed; `verifyModelDir`
// accepts a directory only if the manifest is signed by a trusted key and every listed file is there,
// is a regular file inside the directory, and has the listed size and hash.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, lstat, mkdir, readdir, readFile, realpath, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { canonicalJSON } from "./audit.ts";

export const MANIFEST_FILE = "opencode-manifest.json";
const MANIFEST_FORMAT = "opencode-lsp-model-manifest";
/** Domain separation: a manifest signature cannot be mistaken for any other ed25519 signature. */
const SIGNING_CONTEXT = "opencode-lsp model manifest v1\n";
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  /** The model's name for Ollama (e.g. "qwen2.5-coder-7b-offline"). */
  name: string;
  createdAt: string;
  files: ManifestFile[];
}

export interface SignedManifest {
  manifest: Manifest;
  signature: { alg: "ed25519"; keyId: string; publicKey: string; value: string };
}

// ---------------------------------------------------------------------------------------------
// keys

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

// ---------------------------------------------------------------------------------------------
// manifests

export async function sha256File(path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(abs, base)));
    else if (entry.isFile()) {
      const rel = relative(base, abs).split(sep).join("/");
      if (rel !== MANIFEST_FILE) out.push(rel);
    } else if (entry.isSymbolicLink()) throw new Error(`${abs} is a symbolic link: a signed model directory holds regular files only`);
  }
  return out.sort();
}

function signingBytes(manifest: Manifest): Buffer {
  return Buffer.from(SIGNING_CONTEXT + canonicalJSON(manifest), "utf8");
}

/** Hashes every file of `dir` and writes the signed manifest (MANIFEST_FILE) into it. */
export async function signModelDir(dir: string, options: { keyName?: string; name?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SignedManifest & { path: string }> {
  const root = resolve(dir);
  const { privateKey, publicKey } = await loadSigningKey(options.keyName ?? "default", options.env);
  const paths = await listFiles(root);
  if (paths.length === 0) throw new Error(`${root} holds no files to sign`);
  const files: ManifestFile[] = [];
  for (const path of paths) files.push({ path, ...(await sha256File(join(root, path))) });
  const gguf = paths.find((p) => p.toLowerCase().endsWith(".gguf"));
  const name = options.name ?? (gguf ? gguf.replace(/^.*\//, "").replace(/\.gguf$/i, "") : root.split(sep).pop()!).toLowerCase().replace(/[^a-z0-9._:-]+/g, "-");
  const manifest: Manifest = { format: MANIFEST_FORMAT, version: 1, name, createdAt: new Date().toISOString(), files };
  const signed: SignedManifest = {
    manifest,
    signature: { alg: "ed25519", keyId: keyIdOf(publicKey), publicKey: formatPublicKey(publicKey), value: sign(null, signingBytes(manifest), privateKey).toString("base64") },
  };
  const path = join(root, MANIFEST_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(signed, null, 2)}\n`);
  await rename(tmp, path);
  return { ...signed, path };
}

export type RefusalReason =
  | "no-trusted-keys"
  | "no-manifest"
  | "malformed-manifest"
  | "unknown-key"
  | "bad-signature"
  | "unsafe-path"
  | "missing-file"
  | "size-mismatch"
  | "hash-mismatch";

export interface VerifiedFile extends ManifestFile {
  abs: string;
}

export type VerifyResult =
  | { ok: true; dir: string; manifest: Manifest; keyId: string; files: VerifiedFile[] }
  | { ok: false; reason: RefusalReason; message: string; file?: string; keyId?: string };

function refuse(reason: RefusalReason, message: string, extra: { file?: string; keyId?: string } = {}): VerifyResult {
  return { ok: false, reason, message, ...extra };
}

function isManifest(value: unknown): value is SignedManifest {
  const v = value as SignedManifest;
  if (!v || typeof v !== "object" || !v.manifest || !v.signature) return false;
  const m = v.manifest;
  const s = v.signature;
  return (
    m.format === MANIFEST_FORMAT &&
    m.version === 1 &&
    typeof m.name === "string" &&
    typeof m.createdAt === "string" &&
    Array.isArray(m.files) &&
    m.files.length > 0 &&
    m.files.every((f) => f && typeof f.path === "string" && Number.isSafeInteger(f.size) && f.size >= 0 && typeof f.sha256 === "string" && /^[0-9a-f]{64}$/.test(f.sha256)) &&
    s.alg === "ed25519" &&
    typeof s.keyId === "string" &&
    typeof s.value === "string"
  );
}

/** A manifest path must be relative and stay inside the directory. */
function safeRelative(path: string): boolean {
  if (path === "" || path.includes("\0") || path.includes("\\") || isAbsolute(path) || /^[A-Za-z]:/.test(path)) return false;
  const norm = normalize(path);
  return norm === path.split("/").join(sep) && !norm.split(sep).includes("..") && norm !== "." && path !== MANIFEST_FILE;
}

/**
 * Verifies a model directory: the manifest's signature by one of `trustedKeys`, then each file's
 * path, type, size and SHA-256. The first failure is the answer, with its reason.
 */
export async function verifyModelDir(dir: string, trustedKeys: string[], options: { signal?: AbortSignal } = {}): Promise<VerifyResult> {
  const root = resolve(dir);
  const trusted = new Map<string, KeyObject>();
  for (const text of trustedKeys) {
    const key = parsePublicKey(text);
    if (key) trusted.set(keyIdOf(key), key);
  }
  if (trusted.size === 0) return refuse("no-trusted-keys", "no trusted keys: add the signer's public key (ed25519:...) to offline.trustedKeys");

  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_FILE), "utf8");
  } catch {
    return refuse("no-manifest", `${root} has no ${MANIFEST_FILE} (sign it with \`opencode-lsp trust sign ${dir}\`)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse("malformed-manifest", `${MANIFEST_FILE} is not valid JSON`);
  }
  if (!isManifest(parsed)) return refuse("malformed-manifest", `${MANIFEST_FILE} is not a model manifest (format ${MANIFEST_FORMAT}, version 1)`);
  const { manifest, signature } = parsed;

  // The key is looked up by id among the trusted ones; the public key embedded in the file is a hint
  // for humans and never used to verify.
  const key = trusted.get(signature.keyId);
  if (!key) return refuse("unknown-key", `the manifest is signed by key ${signature.keyId}, which is not in offline.trustedKeys`, { keyId: signature.keyId });
  let good = false;
  try {
    good = verify(null, signingBytes(manifest), key, Buffer.from(signature.value, "base64"));
  } catch {
    good = false;
  }
  if (!good) return refuse("bad-signature", `the manifest's signature does not verify with trusted key ${signature.keyId}: the manifest was changed or signed by another key`, { keyId: signature.keyId });

  const realRoot = await realpath(root);
  const files: VerifiedFile[] = [];
  const seen = new Set<string>();
  for (const file of manifest.files) {
    if (!safeRelative(file.path) || seen.has(file.path)) return refuse("unsafe-path", `manifest path "${file.path}" is not a plain relative path inside the directory`, { file: file.path });
    seen.add(file.path);
    const abs = join(root, file.path);
    let stat;
    try {
      stat = await lstat(abs);
    } catch {
      return refuse("missing-file", `${file.path} is listed in the manifest but missing`, { file: file.path });
    }
    if (!stat.isFile()) return refuse("unsafe-path", `${file.path} is not a regular file (symbolic links are refused)`, { file: file.path });
    const real = await realpath(abs);
    const rel = relative(realRoot, real);
    if (rel.startsWith("..") || isAbsolute(rel)) return refuse("unsafe-path", `${file.path} resolves outside the model directory`, { file: file.path });
    if (stat.size !== file.size) return refuse("size-mismatch", `${file.path} is ${stat.size} bytes, the manifest says ${file.size}`, { file: file.path });
    const { sha256 } = await sha256File(abs, options.signal);
    if (sha256 !== file.sha256) return refuse("hash-mismatch", `${file.path} does not match its SHA-256 in the manifest: the file was changed`, { file: file.path });
    files.push({ ...file, abs });
  }
  return { ok: true, dir: root, manifest, keyId: signature.keyId, files };
}

// ---------------------------------------------------------------------------------------------
// `opencode-lsp trust ...`

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** offline.trustedKeys of the effective config (used by `trust verify` when no --key is given). */
  trustedKeys?: string[];
}

export const TRUST_HELP = `Usage: opencode-lsp trust <command>

Signing keys and signed model directories for offline mode.

Commands:
  keygen [--name NAME]            create an ed25519 key pair under $XDG_CONFIG_HOME/opencode-lsp/keys
                                  (private key mode 0600); prints the public key for offline.trustedKeys
  pubkey [--name NAME]            print a key's public half (ed25519:...)
  keys                            list the key pairs
  sign DIR [--name KEY] [--model MODEL]
                                  hash every file of DIR and write DIR/${MANIFEST_FILE}, signed
  verify DIR [--key ed25519:...]  check the manifest's signature against the trusted keys (--key, or
                                  offline.trustedKeys from the config) and every file's SHA-256
Exit codes: 0 ok, 1 verification refused or the command failed, 2 usage.`;

function parseFlags(args: string[], allowed: string[]): { positional: string[]; flags: Map<string, string[]> } | string {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!allowed.includes(name)) return `unknown flag --${name}`;
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) return `--${name} needs a value`;
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

/** `opencode-lsp trust ARGS...`: returns the exit code. */
export async function trustCommand(args: string[], io: CommandIO): Promise<number> {
  const env = io.env ?? process.env;
  const [sub, ...rest] = args;
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    (sub ? io.stdout : io.stderr)(`${TRUST_HELP}\n`);
    return sub ? 0 : 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`${TRUST_HELP}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.stderr(`opencode-lsp trust: ${message}\n`);
    return 2;
  };
  const allowedFlags: Record<string, string[]> = { keygen: ["name"], pubkey: ["name"], keys: [], sign: ["name", "model"], verify: ["key"] };
  const allowed = allowedFlags[sub];
  if (!allowed) return usage(`unknown command "${sub}" (keygen, pubkey, keys, sign, verify)`);
  const parsed = parseFlags(rest, allowed);
  if (typeof parsed === "string") return usage(parsed);
  const { positional, flags } = parsed;
  const name = flags.get("name")?.at(-1) ?? "default";
  const wantsDir = sub === "sign" || sub === "verify";
  if (wantsDir ? positional.length !== 1 : positional.length !== 0) return usage(wantsDir ? `${sub} needs exactly one directory` : `${sub} takes no arguments`);
  const dir = wantsDir ? resolve(io.cwd ?? process.cwd(), positional[0]!) : "";
  try {
    switch (sub) {
      case "keygen": {
        const key = await createSigningKey(name, env);
        io.stdout(`${key.publicKey}\n`);
        io.stderr(`created key "${key.name}" (id ${key.keyId}): private ${key.privateKeyPath} (0600), public ${key.publicKeyPath}\nAdd the public key to offline.trustedKeys to trust directories it signs.\n`);
        return 0;
      }
      case "pubkey": {
        io.stdout(`${(await loadSigningKey(name, env)).info.publicKey}\n`);
        return 0;
      }
      case "keys": {
        const keys = await listSigningKeys(env);
        if (keys.length === 0) io.stderr(`no keys under ${keysDir(env)} (create one with \`opencode-lsp trust keygen\`)\n`);
        for (const key of keys) io.stdout(`${key.name}\t${key.keyId}\t${key.publicKey}\n`);
        return 0;
      }
      case "sign": {
        const model = flags.get("model")?.at(-1);
        const signed = await signModelDir(dir, { keyName: name, env, ...(model ? { name: model } : {}) });
        io.stdout(`signed ${signed.manifest.files.length} file(s) of ${dir} as model "${signed.manifest.name}" with key ${signed.signature.keyId}: ${signed.path}\n`);
        return 0;
      }
      case "verify": {
        const keys = flags.get("key") ?? io.trustedKeys ?? [];
        const result = await verifyModelDir(dir, keys);
        if (!result.ok) {
          io.stderr(`refused (${result.reason}): ${result.message}\n`);
          return 1;
        }
        io.stdout(`ok: model "${result.manifest.name}", ${result.files.length} file(s) verified, signed by trusted key ${result.keyId}\n`);
        return 0;
      }
    }
  } catch (error) {
    io.stderr(`opencode-lsp trust ${sub}: ${(error as Error).message}\n`);
    return 1;
  }
  return 2;
}

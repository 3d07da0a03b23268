// Signed model directories for offline mode. `signModelDir` writes a manifest listing every file
// of a directory with its size and SHA-256, signed with a key of trust-keys.ts; `verifyModelDir`
// accepts a directory only if the manifest is signed by a trusted key and every listed file is
// there, is a regular file inside the directory, and has the listed size and hash.
import { createHash, sign, verify, type KeyObject } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile, realpath, rename, writeFile } from "node:fs/promises";
import { isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { canonicalJSON } from "./audit.ts";
import { formatPublicKey, keyIdOf, loadSigningKey, parsePublicKey } from "./trust-keys.ts";

export const MANIFEST_FILE = "opencode-manifest.json";
const MANIFEST_FORMAT = "opencode-lsp-model-manifest";
/** Domain separation: a manifest signature cannot be mistaken for any other ed25519 signature. */
const SIGNING_CONTEXT = "opencode-lsp model manifest v1\n";

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

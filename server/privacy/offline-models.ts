// The offline model loader: a model comes from `offline.modelDir`, a directory signed by a key in
// `offline.trustedKeys` (trust.ts). The loader verifies the manifest's signature and every file's
// SHA-256, then hands the verified GGUF to the local Ollama: it uploads the file as a blob named by
// the manifest's digest (re-hashing the bytes as they are sent, so a file swapped after verification
// fails the upload, and Ollama itself rejects a body that does not match the digest), then creates
// the model from that blob with the ollama SDK's create API. Every refusal and every load is audited.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { audit } from "./audit.ts";
import { hostOf, isLoopbackURL } from "./policy.ts";
import { type RefusalReason, verifyModelDir, type VerifiedFile } from "./trust.ts";

export type LoadRefusal = RefusalReason | "no-model-dir" | "non-local-host" | "no-gguf" | "upload-failed" | "create-failed";

export type LoadResult =
  | { ok: true; model: string; modelId: string; digest: string; keyId: string; uploaded: boolean }
  | { ok: false; reason: LoadRefusal; message: string };

export interface LoadOptions {
  /** offline.modelDir */
  modelDir: string | undefined;
  /** offline.trustedKeys */
  trustedKeys: string[];
  /** Ollama's base URL: must be a loopback host (default http://127.0.0.1:11434). */
  ollamaHost?: string;
  /** The name to create the model under (default: the manifest's name). */
  name?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

const DEFAULT_HOST = "http://127.0.0.1:11434";

function refused(reason: LoadRefusal, message: string, extra: Record<string, string | undefined> = {}): LoadResult {
  audit({ event: "model.refused", reason, message, ...extra });
  return { ok: false, reason, message };
}

/** A pass-through that hashes what flows and fails the stream at the end if the digest differs. */
function hashing(expected: string, file: string): Transform {
  const hash = createHash("sha256");
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const got = hash.digest("hex");
      done(got === expected ? null : new Error(`${file} changed after it was verified (SHA-256 ${got}, expected ${expected})`));
    },
  });
}

async function uploadBlob(host: string, file: VerifiedFile, fetchImpl: typeof fetch, signal: AbortSignal | undefined): Promise<{ uploaded: boolean }> {
  const url = `${host}/api/blobs/sha256:${file.sha256}`;
  const head = await fetchImpl(url, { method: "HEAD", ...(signal ? { signal } : {}) });
  if (head.ok) return { uploaded: false };
  const source = createReadStream(file.abs, { highWaterMark: 1 << 20 });
  const checked = source.pipe(hashing(file.sha256, file.path));
  source.on("error", (error) => checked.destroy(error));
  const response = await fetchImpl(url, {
    method: "POST",
    body: Readable.toWeb(checked) as unknown as ReadableStream<Uint8Array>,
    headers: { "content-type": "application/octet-stream", "content-length": String(file.size) },
    duplex: "half",
    ...(signal ? { signal } : {}),
  } as RequestInit);
  if (!response.ok) throw new Error(`Ollama refused the blob upload (${response.status}): ${(await response.text()).slice(0, 200)}`);
  return { uploaded: true };
}

/** Verifies offline.modelDir and creates its model in the local Ollama. Never throws. */
export async function loadOfflineModel(options: LoadOptions): Promise<LoadResult> {
  const host = (options.ollamaHost ?? DEFAULT_HOST).replace(/\/+$/, "");
  if (!options.modelDir) return refused("no-model-dir", "offline.modelDir is not set: point it at a directory signed with `opencode-lsp trust sign`");
  // The loader only ever talks to a loopback Ollama, offline policy or not.
  if (!isLoopbackURL(host)) return refused("non-local-host", `the offline model loader only talks to a local Ollama; ${hostOf(host)} is not a loopback host`, { host: hostOf(host) });

  const verified = await verifyModelDir(options.modelDir, options.trustedKeys, options.signal ? { signal: options.signal } : {});
  if (!verified.ok) return refused(verified.reason, verified.message, { dir: options.modelDir, file: verified.file, keyId: verified.keyId });

  const ggufs = verified.files.filter((f) => f.path.toLowerCase().endsWith(".gguf"));
  if (ggufs.length !== 1) return refused("no-gguf", ggufs.length === 0 ? "the signed directory holds no .gguf model file" : `the signed directory holds ${ggufs.length} .gguf files; one model per directory`, { dir: verified.dir });
  const gguf = ggufs[0]!;
  const model = options.name ?? verified.manifest.name;
  const fetchImpl = options.fetch ?? fetch;
  const digest = `sha256:${gguf.sha256}`;

  let uploaded: boolean;
  try {
    ({ uploaded } = await uploadBlob(host, gguf, fetchImpl, options.signal));
  } catch (error) {
    return refused("upload-failed", `could not hand ${gguf.path} to Ollama at ${hostOf(host)}: ${(error as Error).message}`, { dir: verified.dir, file: gguf.path });
  }

  try {
    const { Ollama } = await import("ollama");
    const client = new Ollama({ host, fetch: fetchImpl });
    // `files` maps the file name to the blob's digest: Ollama builds the model from the verified bytes.
    const result = await client.create({ model, files: { [gguf.path.replace(/^.*\//, "")]: digest }, stream: false } as Parameters<typeof client.create>[0] & { stream: false });
    if (result.status !== "success") throw new Error(`create answered "${result.status}"`);
  } catch (error) {
    return refused("create-failed", `Ollama did not create model "${model}": ${(error as Error).message}`, { dir: verified.dir, model });
  }
  audit({ event: "model.loaded", model, digest, keyId: verified.keyId, dir: verified.dir, files: verified.files.map((f) => f.path), host: hostOf(host), uploaded });
  return { ok: true, model, modelId: `ollama/${model}`, digest, keyId: verified.keyId, uploaded };
}

// The offline model loader against a scripted Ollama on 127.0.0.1 that records the blob upload and the
// create request (and, like the real one, rejects a blob whose bytes do not match its digest).
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AuditLog, setAuditLog } from "../../../server/privacy/audit.ts";
import { loadOfflineModel } from "../../../server/privacy/offline-models.ts";
import { createSigningKey } from "../../../server/privacy/trust-keys.ts";
import { signModelDir } from "../../../server/privacy/trust.ts";

interface FakeOllama {
  url: string;
  requests: { method: string; path: string; body: Buffer }[];
  blobs: Map<string, Buffer>;
  close(): Promise<void>;
}

async function fakeOllama(): Promise<FakeOllama> {
  const requests: FakeOllama["requests"] = [];
  const blobs = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => undefined);
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? "";
      requests.push({ method: req.method ?? "", path, body });
      const blob = /^\/api\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
      if (blob && req.method === "HEAD") return void res.writeHead(blobs.has(blob[1]!) ? 200 : 404).end();
      if (blob && req.method === "POST") {
        const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
        if (digest !== blob[1]) return void res.writeHead(400, { "content-type": "application/json" }).end('{"error":"digest mismatch"}');
        blobs.set(digest, body);
        return void res.writeHead(201).end();
      }
      if (path === "/api/create" && req.method === "POST") {
        const request = JSON.parse(body.toString());
        const missing = Object.values(request.files ?? {}).filter((d) => !blobs.has(d as string));
        if (missing.length) return void res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: `missing blob ${missing[0]}` }));
        return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"success"}');
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, blobs, close: () => new Promise((r) => server.close(() => r())) };
}

let ollama: FakeOllama | undefined;
afterEach(async () => {
  setAuditLog(undefined);
  await ollama?.close();
  ollama = undefined;
});

async function signedDir() {
  const home = mkdtempSync(join(tmpdir(), "offline-"));
  const env = { XDG_CONFIG_HOME: join(home, "config") };
  const dir = join(home, "models", "tiny");
  mkdirSync(dir, { recursive: true });
  const gguf = Buffer.concat([Buffer.from("GGUF\x03\x00\x00\x00"), Buffer.alloc(100_000, 3)]);
  writeFileSync(join(dir, "tiny.gguf"), gguf);
  writeFileSync(join(dir, "README"), "a tiny test model\n");
  const key = await createSigningKey("default", env);
  await signModelDir(dir, { env, name: "tiny-offline" });
  const auditPath = join(home, "audit.jsonl");
  setAuditLog(new AuditLog(auditPath));
  const audited = () => readFileSync(auditPath, "utf8").trimEnd().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { dir, key, gguf, env, audited, home };
}

describe("loadOfflineModel", () => {
  it("verifies, uploads the GGUF as a blob named by its digest, and creates the model from it (SDK create)", async () => {
    ollama = await fakeOllama();
    const { dir, key, gguf, audited } = await signedDir();
    const digest = `sha256:${createHash("sha256").update(gguf).digest("hex")}`;
    const result = await loadOfflineModel({ modelDir: dir, trustedKeys: [key.publicKey], ollamaHost: ollama.url });
    expect(result).toEqual({ ok: true, model: "tiny-offline", modelId: "ollama/tiny-offline", digest, keyId: key.keyId, uploaded: true });
    expect(ollama.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`HEAD /api/blobs/${digest}`, `POST /api/blobs/${digest}`, "POST /api/create"]);
    expect(ollama.blobs.get(digest)!.equals(gguf)).toBe(true);
    expect(JSON.parse(ollama.requests[2]!.body.toString())).toEqual({ model: "tiny-offline", files: { "tiny.gguf": digest }, stream: false });
    expect(audited()).toEqual([expect.objectContaining({ event: "model.loaded", model: "tiny-offline", digest, keyId: key.keyId, files: ["README", "tiny.gguf"] })]);

    // Loaded again: the blob is there already, only create runs.
    const again = await loadOfflineModel({ modelDir: dir, trustedKeys: [key.publicKey], ollamaHost: ollama.url, name: "tiny-2" });
    expect(again).toMatchObject({ ok: true, model: "tiny-2", uploaded: false });
    expect(ollama.requests.slice(3).map((r) => r.method)).toEqual(["HEAD", "POST"]);
  });

  it("a flipped byte is refused before Ollama hears anything, and audited", async () => {
    ollama = await fakeOllama();
    const { dir, key, gguf, audited } = await signedDir();
    gguf[5000]! ^= 0x80;
    writeFileSync(join(dir, "tiny.gguf"), gguf);
    const result = await loadOfflineModel({ modelDir: dir, trustedKeys: [key.publicKey], ollamaHost: ollama.url });
    expect(result).toMatchObject({ ok: false, reason: "hash-mismatch" });
    expect(ollama.requests).toEqual([]);
    expect(audited()).toEqual([expect.objectContaining({ event: "model.refused", reason: "hash-mismatch", file: "tiny.gguf" })]);
  });

  it("an unknown key is refused and audited; Ollama hears nothing", async () => {
    ollama = await fakeOllama();
    const { dir, env, audited } = await signedDir();
    const stranger = await createSigningKey("stranger", env);
    const result = await loadOfflineModel({ modelDir: dir, trustedKeys: [stranger.publicKey], ollamaHost: ollama.url });
    expect(result).toMatchObject({ ok: false, reason: "unknown-key" });
    expect(ollama.requests).toEqual([]);
    expect(audited()).toEqual([expect.objectContaining({ event: "model.refused", reason: "unknown-key" })]);
  });

  it("refuses without a model dir, a non-loopback Ollama (no request made), and a directory without a GGUF", async () => {
    const { dir, key, env, home } = await signedDir();
    expect(await loadOfflineModel({ modelDir: undefined, trustedKeys: [key.publicKey] })).toMatchObject({ ok: false, reason: "no-model-dir" });
    const calls: string[] = [];
    const spy = (async (input: string | URL | Request) => {
      calls.push(String(input));
      throw new Error("must not be called");
    }) as typeof fetch;
    expect(await loadOfflineModel({ modelDir: dir, trustedKeys: [key.publicKey], ollamaHost: "http://10.255.255.1:11434", fetch: spy })).toMatchObject({ ok: false, reason: "non-local-host" });
    expect(calls).toEqual([]);
    const noGguf = join(home, "models", "weights-only");
    mkdirSync(noGguf, { recursive: true });
    writeFileSync(join(noGguf, "weights.bin"), "x");
    await signModelDir(noGguf, { env });
    expect(await loadOfflineModel({ modelDir: noGguf, trustedKeys: [key.publicKey], fetch: spy })).toMatchObject({ ok: false, reason: "no-gguf" });
    expect(calls).toEqual([]);
  });

  it("a file swapped after verification fails the upload (the bytes are re-hashed as they are sent)", async () => {
    ollama = await fakeOllama();
    const { dir, key, gguf } = await signedDir();
    const swapping = (async (input: string | URL | Request, init?: RequestInit) => {
      if (init?.method === "HEAD") {
        const evil = Buffer.from(gguf);
        evil[10] = 0xff;
        writeFileSync(join(dir, "tiny.gguf"), evil);
      }
      return fetch(input, init);
    }) as typeof fetch;
    const result = await loadOfflineModel({ modelDir: dir, trustedKeys: [key.publicKey], ollamaHost: ollama.url, fetch: swapping });
    expect(result).toMatchObject({ ok: false, reason: "upload-failed" });
    expect(ollama.blobs.size).toBe(0);
    expect(ollama.requests.some((r) => r.path === "/api/create")).toBe(false);
  });

  it("a create failure is reported", async () => {
    ollama = await fakeOllama();
    const { dir, key } = await signedDir();
    const noCreate = (async (input: string | URL | Request, init?: RequestInit) => (String(input).endsWith("/api/create") ? new Response('{"error":"disk full"}', { status: 500, headers: { "content-type": "application/json" } }) : fetch(input, init))) as typeof fetch;
    const result = await loadOfflineModel({ modelDir: dir, trustedKeys: [key.publicKey], ollamaHost: ollama.url, fetch: noCreate });
    expect(result).toMatchObject({ ok: false, reason: "create-failed", message: expect.stringMatching(/disk full/) });
  });
});

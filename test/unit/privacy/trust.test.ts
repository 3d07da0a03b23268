// Signing keys and signed model directories: accepted when intact, refused with a reason otherwise.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trustCommand } from "../../../server/privacy/trust-command.ts";
import { createSigningKey, keysDir, loadSigningKey, parsePublicKey } from "../../../server/privacy/trust-keys.ts";
import { MANIFEST_FILE, signModelDir, verifyModelDir } from "../../../server/privacy/trust.ts";

function setup() {
  const home = mkdtempSync(join(tmpdir(), "trust-"));
  const env = { XDG_CONFIG_HOME: join(home, "config") };
  const model = join(home, "model");
  mkdirSync(join(model, "extra"), { recursive: true });
  writeFileSync(join(model, "tiny.gguf"), Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(4096, 7)]));
  writeFileSync(join(model, "extra", "LICENSE"), "MIT\n");
  return { home, env, model };
}

describe("keys", () => {
  it("keygen stores the private key 0600 in a 0700 folder under XDG config; pubkey parses back", async () => {
    const { env } = setup();
    const key = await createSigningKey("ci", env);
    expect(key.privateKeyPath.startsWith(keysDir(env))).toBe(true);
    expect(statSync(key.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(statSync(keysDir(env)).mode & 0o777).toBe(0o700);
    expect(key.publicKey).toMatch(/^ed25519:[A-Za-z0-9+/]{43}=$/);
    expect(parsePublicKey(key.publicKey)).toBeDefined();
    expect(parsePublicKey("ed25519:short")).toBeUndefined();
    await expect(createSigningKey("ci", env)).rejects.toThrow(/already exists/);
    await expect(createSigningKey("../evil", env)).rejects.toThrow(/may hold/);
  });

  it("refuses a private key others can read", async () => {
    const { env } = setup();
    const key = await createSigningKey("default", env);
    chmodSync(key.privateKeyPath, 0o644);
    await expect(loadSigningKey("default", env)).rejects.toThrow(/readable by others/);
  });
});

describe("signed model directories", () => {
  it("a signed directory verifies with the signer's key", async () => {
    const { env, model } = setup();
    const key = await createSigningKey("default", env);
    const signed = await signModelDir(model, { env });
    expect(signed.manifest.name).toBe("tiny");
    expect(signed.manifest.files.map((f) => f.path)).toEqual(["extra/LICENSE", "tiny.gguf"]);
    const result = await verifyModelDir(model, [key.publicKey]);
    expect(result).toMatchObject({ ok: true, keyId: key.keyId });
  });

  it("a flipped byte in a model file is refused (hash-mismatch)", async () => {
    const { env, model } = setup();
    const key = await createSigningKey("default", env);
    await signModelDir(model, { env });
    const bytes = readFileSync(join(model, "tiny.gguf"));
    bytes[1000]! ^= 0x01;
    writeFileSync(join(model, "tiny.gguf"), bytes);
    expect(await verifyModelDir(model, [key.publicKey])).toMatchObject({ ok: false, reason: "hash-mismatch", file: "tiny.gguf" });
  });

  it("an unknown key is refused, even though its signature is valid", async () => {
    const { env, model } = setup();
    await createSigningKey("default", env);
    const other = await createSigningKey("other", env);
    await signModelDir(model, { env });
    expect(await verifyModelDir(model, [other.publicKey])).toMatchObject({ ok: false, reason: "unknown-key" });
    expect(await verifyModelDir(model, [])).toMatchObject({ ok: false, reason: "no-trusted-keys" });
  });

  it("a changed manifest (a hash swapped for the tampered file's) fails the signature", async () => {
    const { env, model } = setup();
    const key = await createSigningKey("default", env);
    await signModelDir(model, { env });
    const path = join(model, MANIFEST_FILE);
    const signed = JSON.parse(readFileSync(path, "utf8"));
    signed.manifest.files[1].sha256 = "0".repeat(64);
    writeFileSync(path, JSON.stringify(signed));
    expect(await verifyModelDir(model, [key.publicKey])).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("refuses a missing file, a size change, a symlink, an escaping path and a missing/malformed manifest", async () => {
    const { env, model, home } = setup();
    const key = await createSigningKey("default", env);
    expect(await verifyModelDir(model, [key.publicKey])).toMatchObject({ ok: false, reason: "no-manifest" });
    writeFileSync(join(model, MANIFEST_FILE), "{");
    expect(await verifyModelDir(model, [key.publicKey])).toMatchObject({ ok: false, reason: "malformed-manifest" });
    await signModelDir(model, { env });
    writeFileSync(join(model, "extra", "LICENSE"), "MIT license\n");
    expect(await verifyModelDir(model, [key.publicKey])).toMatchObject({ ok: false, reason: "size-mismatch" });

    // A manifest that (validly signed) lists a path outside the directory.
    const { sign, createPrivateKey } = await import("node:crypto");
    const { canonicalJSON } = await import("../../../server/privacy/audit.ts");
    const manifest = { format: "opencode-lsp-model-manifest", version: 1, name: "x", createdAt: "now", files: [{ path: "../outside.gguf", size: 1, sha256: "0".repeat(64) }] };
    const pk = createPrivateKey(readFileSync(key.privateKeyPath, "utf8"));
    const value = sign(null, Buffer.from(`opencode-lsp model manifest v1\n${canonicalJSON(manifest)}`), pk).toString("base64");
    writeFileSync(join(model, MANIFEST_FILE), JSON.stringify({ manifest, signature: { alg: "ed25519", keyId: key.keyId, publicKey: key.publicKey, value } }));
    expect(await verifyModelDir(model, [key.publicKey])).toMatchObject({ ok: false, reason: "unsafe-path" });

    const dir2 = join(home, "model2");
    mkdirSync(dir2);
    writeFileSync(join(home, "real.gguf"), "GGUF");
    symlinkSync(join(home, "real.gguf"), join(dir2, "m.gguf"));
    await expect(signModelDir(dir2, { env })).rejects.toThrow(/symbolic link/);

    const dir3 = join(home, "model3");
    mkdirSync(dir3);
    writeFileSync(join(dir3, "m.gguf"), "GGUF");
    await signModelDir(dir3, { env });
    const { rmSync } = await import("node:fs");
    rmSync(join(dir3, "m.gguf"));
    expect(await verifyModelDir(dir3, [key.publicKey])).toMatchObject({ ok: false, reason: "missing-file" });
    symlinkSync(join(home, "real.gguf"), join(dir3, "m.gguf"));
    expect(await verifyModelDir(dir3, [key.publicKey])).toMatchObject({ ok: false, reason: "unsafe-path" });
  });

  it("trustCommand: keygen, sign, verify (0 ok / 1 refused), usage errors exit 2", async () => {
    const { env, model } = setup();
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env };
    expect(await trustCommand(["keygen"], io)).toBe(0);
    const pub = out.at(-1)!.trim();
    expect(pub).toMatch(/^ed25519:/);
    expect(await trustCommand(["pubkey"], io)).toBe(0);
    expect(out.at(-1)!.trim()).toBe(pub);
    expect(await trustCommand(["sign", model, "--model", "tiny-offline"], io)).toBe(0);
    expect(await trustCommand(["verify", model, "--key", pub], io)).toBe(0);
    expect(out.at(-1)).toMatch(/ok: model "tiny-offline", 2 file\(s\) verified/);
    expect(await trustCommand(["verify", model], { ...io, trustedKeys: [pub] })).toBe(0);
    expect(await trustCommand(["verify", model], io)).toBe(1);
    expect(err.at(-1)).toMatch(/refused \(no-trusted-keys\)/);
    expect(await trustCommand(["keys"], io)).toBe(0);
    expect(out.at(-1)).toMatch(/^default\t[0-9a-f]{16}\ted25519:/);
    expect(await trustCommand([], io)).toBe(2);
    expect(await trustCommand(["sign"], io)).toBe(2);
    expect(await trustCommand(["sign", model, "--bogus", "x"], io)).toBe(2);
    expect(await trustCommand(["nope"], io)).toBe(2);
  });
});

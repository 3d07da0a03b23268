import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../server/share/canonical.ts";
import { keyIdOf, loadOrCreateShareKey, rawPublicKey, type ShareKey } from "../../../server/share/keys.ts";
import { createShareLink, openShareLink, ShareLinkError, verifyShareLink, type ShareLinkErrorCode } from "../../../server/share/link.ts";
import type { Transcript } from "../../../server/share/transcript.ts";
import { makeTranscript } from "../../support/share/transcripts.ts";

const noEnv: NodeJS.ProcessEnv = {};
function tempKey(): ShareKey {
  return loadOrCreateShareKey({ path: join(mkdtempSync(join(tmpdir(), "share-key-")), "share-key.pem") });
}
const key = tempKey();
const BASE = "https://viewer.example/share/";

function expectRefused(link: string, code: ShareLinkErrorCode, message?: RegExp): void {
  let caught: unknown;
  try {
    verifyShareLink(link);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code} for ${link.slice(0, 60)}…`).toBeInstanceOf(ShareLinkError);
  expect((caught as ShareLinkError).code).toBe(code);
  if (message) expect((caught as ShareLinkError).message).toMatch(message);
}

/** Signs an arbitrary payload the way link.ts does, to craft links a real sharer could make. */
function signPayload(payload: string, k: ShareKey = key): string {
  const hash = createHash("sha256").update(payload).digest("base64url");
  const sig = sign(null, Buffer.from(`opencode-lsp share v1\n${k.keyId}\n${hash}`), k.privateKey).toString("base64url");
  return `${BASE}#v1.${payload}.${k.keyId}~${k.publicKey.toString("base64url")}~${sig}`;
}
const deflated = (text: string) => deflateRawSync(Buffer.from(text)).toString("base64url");

function parts(url: string): { payload: string; keyId: string; pub: string; sig: string } {
  const [, payload, s] = url.split("#")[1]!.split(".") as [string, string, string];
  const [keyId, pub, sig] = s.split("~") as [string, string, string];
  return { payload, keyId, pub, sig };
}

describe("round trip", () => {
  it("a long transcript comes back byte-exact (canonical JSON)", () => {
    const t = makeTranscript(1000, 7);
    t.messages.push({ role: "user", content: "unicode: é 漢字 🚀 \u2028 \u0000 \\ \" lone \ud800 end" });
    t.messages.push({ role: "assistant", content: "", toolCalls: [{ id: "z", name: "x", input: { b: [1, 2.5, null, { z: true, a: "q" }], a: -0, c: 1e21 } }] });
    const result = createShareLink(t, { key, env: noEnv, baseUrl: BASE, maxFragmentBytes: 10_000_000 });
    expect(result.url.startsWith(`${BASE}#v1.`)).toBe(true);
    expect(result.signed).toBe(true);
    expect(result.keyId).toBe(key.keyId);
    expect(result.redactions).toEqual({});
    // The payload's bytes are exactly the canonical JSON of the transcript.
    const payload = Buffer.from(parts(result.url).payload, "base64url");
    expect(inflateRawSync(payload).toString("utf8")).toBe(canonicalJson(t));
    const opened = verifyShareLink(result.url);
    expect(canonicalJson(opened.transcript)).toBe(canonicalJson(t));
    expect(opened.transcript).toEqual(JSON.parse(canonicalJson(t)));
    expect(opened.signed).toBe(true);
    expect(opened.keyId).toBe(key.keyId);
    expect(openShareLink(result.url).messages).toHaveLength(1002);
  });

  it("the same transcript always gives the same link; key order does not matter", () => {
    const t = makeTranscript(20);
    const reverse = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverse) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    const reordered = reverse(t);
    expect(Object.keys(reordered as object)[0]).toBe("edits");
    const a = createShareLink(t, { key, env: noEnv });
    const b = createShareLink(reordered, { key, env: noEnv });
    expect(b.url).toBe(a.url); // ed25519 signatures are deterministic
  });

  it("extra keys the session layer carries are dropped; an invalid transcript names the field", () => {
    const t = makeTranscript(4) as Transcript & { internal: number };
    t.internal = 1;
    (t.messages[0] as unknown as Record<string, unknown>).id = "m1";
    const opened = verifyShareLink(createShareLink(t, { key, env: noEnv }).url).transcript;
    expect(opened).not.toHaveProperty("internal");
    expect(opened.messages[0]).not.toHaveProperty("id");
    expect(() => createShareLink({ ...t, messages: [{ role: "user", content: 3 }] }, { key, env: noEnv })).toThrow(/messages\.0\.content: expected string/);
    expect(() => createShareLink({ ...t, createdAt: "yesterday" }, { key, env: noEnv })).toThrow(/createdAt/);
  });

  it("accepts the bare fragment and a %-encoded one", () => {
    const url = createShareLink(makeTranscript(6), { key, env: noEnv }).url;
    const fragment = url.split("#")[1]!;
    expect(verifyShareLink(fragment).transcript.messages).toHaveLength(6);
    expect(verifyShareLink(`${BASE}#${fragment.replace(/~/g, "%7E")}`).signed).toBe(true);
  });
});

describe("signing key", () => {
  it("is created on first share under XDG_CONFIG_HOME, mode 0600, then reused", () => {
    const xdg = mkdtempSync(join(tmpdir(), "share-xdg-"));
    const env = { XDG_CONFIG_HOME: xdg };
    const first = createShareLink(makeTranscript(4), { env });
    const path = join(xdg, "opencode-lsp", "share-key.pem");
    expect(first.keyCreated).toBe(true);
    expect(first.keyPath).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const second = createShareLink(makeTranscript(4), { env });
    expect(second.keyCreated).toBe(false);
    expect(second.keyId).toBe(first.keyId);
    expect(first.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("trusted keys are reported", () => {
    const url = createShareLink(makeTranscript(4), { key, env: noEnv }).url;
    expect(verifyShareLink(url, { trustedKeys: [key.keyId] }).trusted).toBe(true);
    expect(verifyShareLink(url, { trustedKeys: ["0000000000000000"] }).trusted).toBe(false);
    expect(verifyShareLink(url).trusted).toBeUndefined();
  });

  it("sign: false makes an unsigned link with an integrity hash, marked unsigned", () => {
    const xdg = mkdtempSync(join(tmpdir(), "share-xdg-"));
    const result = createShareLink(makeTranscript(8), { sign: false, env: { XDG_CONFIG_HOME: xdg } });
    expect(result.signed).toBe(false);
    expect(result.keyId).toBeUndefined();
    expect(() => statSync(join(xdg, "opencode-lsp", "share-key.pem"))).toThrow(); // no key needed
    expect(result.url).toMatch(/#v1\.[A-Za-z0-9_-]+\.-[A-Za-z0-9_-]{43}$/);
    const opened = verifyShareLink(result.url);
    expect(opened.signed).toBe(false);
    expect(opened.keyId).toBeUndefined();
    expect(opened.transcript.messages).toHaveLength(8);
  });
});

describe("tampering is refused with its reason", () => {
  const url = createShareLink(makeTranscript(40), { key, env: noEnv, baseUrl: BASE }).url;
  const { payload, keyId, pub, sig } = parts(url);
  const link = (p: string, k: string, pk: string, s: string) => `${BASE}#v1.${p}.${k}~${pk}~${s}`;
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);

  it("a payload character changed", () => {
    for (const i of [0, 100, payload.length - 2]) expectRefused(link(flip(payload, i), keyId, pub, sig), "bad_signature", /altered after it was signed/);
  });
  it("the signature changed", () => {
    expectRefused(link(payload, keyId, pub, flip(sig, 5)), "bad_signature");
  });
  it("the key id swapped", () => {
    const other = tempKey();
    expectRefused(link(payload, other.keyId, pub, sig), "key_mismatch", /does not match the public key/);
    // Another key and its own id, with the original signature: the signature fails.
    expectRefused(link(payload, other.keyId, other.publicKey.toString("base64url"), sig), "bad_signature");
  });
  it("truncated anywhere", () => {
    for (const cut of [url.length - 1, url.length - 40, url.length - 100, url.length - 150, url.length - sig.length - pub.length - 30, 80]) {
      let caught: unknown;
      try {
        verifyShareLink(url.slice(0, cut));
      } catch (error) {
        caught = error;
      }
      expect(caught, `cut at ${cut}`).toBeInstanceOf(ShareLinkError);
      expect(["truncated", "malformed", "bad_signature"]).toContain((caught as ShareLinkError).code);
    }
    expectRefused(url.slice(0, url.length - 1), "truncated", /cut short/);
    expectRefused(`${BASE}#v1.${payload}`, "truncated", /signature part is missing/);
    expectRefused(`${BASE}#v1.${payload}.${keyId}~${pub}`, "truncated");
  });
  it("a foreign version, or not a link at all", () => {
    expectRefused(url.replace("#v1.", "#v2."), "unsupported_version", /v2 is not supported/);
    expectRefused(`${BASE}#hello`, "not_a_link");
    expectRefused(BASE, "not_a_link");
    expectRefused(`${BASE}#`, "not_a_link");
  });
  it("not base64url", () => {
    expectRefused(link(`${payload.slice(0, 10)}+/=${payload.slice(13)}`, keyId, pub, sig), "bad_encoding", /payload is not base64url/);
    expectRefused(link(payload, keyId, pub, `${sig.slice(0, 80)}!!!!!!`), "bad_encoding", /signature is not base64url/);
    expectRefused(`${BASE}#v1.${payload}.${keyId}~${pub}~${sig}.extra`, "malformed");
  });
  it("an unsigned link's payload changed", () => {
    const unsigned = createShareLink(makeTranscript(10), { sign: false, env: noEnv }).url;
    const [base, frag] = unsigned.split("#") as [string, string];
    const [v, p, h] = frag.split(".") as [string, string, string];
    expectRefused(`${base}#${v}.${flip(p, 20)}.${h}`, "hash_mismatch", /does not match its SHA-256/);
    expectRefused(`${base}#${v}.${p}.-${h.slice(1, 30)}`, "truncated");
  });
  it("validly signed but not a transcript: corrupt, non-canonical or off-schema payloads", () => {
    expectRefused(signPayload("AAAAAAAAAAAA"), "corrupt_payload", /does not decompress|not UTF-8 JSON/);
    expectRefused(signPayload(deflated("not json")), "corrupt_payload", /not UTF-8 JSON/);
    const t = makeTranscript(3);
    expectRefused(signPayload(deflated(JSON.stringify(t, null, 1))), "corrupt_payload", /not canonical JSON/);
    expectRefused(signPayload(deflated(canonicalJson({ ...t, version: 2 }))), "invalid_transcript", /version/);
    expectRefused(signPayload(deflated(canonicalJson({ ...t, messages: [{ role: "system", content: "x" }] }))), "invalid_transcript", /messages\.0/);
    expectRefused(signPayload(deflated(canonicalJson({ ...t, extra: 1 }))), "invalid_transcript", /unknown key extra/);
    // A valid crafted link is accepted: the format is all a viewer needs.
    expect(verifyShareLink(signPayload(deflated(canonicalJson(t)))).transcript).toEqual(t);
  });
  it("a decompression bomb stops at the limit", () => {
    const bomb = deflateRawSync(Buffer.alloc(40 * 1024 * 1024, 0x20)).toString("base64url");
    expectRefused(signPayload(bomb), "too_large", /inflates past/);
  });
  it("a key id that is a hash of its public key is what the link carries", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    const raw = rawPublicKey(publicKey);
    expect(keyIdOf(raw)).toBe(createHash("sha256").update(raw).digest("hex").slice(0, 16));
  });
});

describe("size budget", () => {
  const big = makeTranscript(300, 3);
  it("a link over the budget is a clear error", () => {
    let caught: unknown;
    try {
      createShareLink(big, { key, env: noEnv, maxFragmentBytes: 16 * 1024 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ShareLinkError);
    expect((caught as ShareLinkError).code).toBe("too_large");
    expect((caught as Error).message).toMatch(/^the share link would be [\d.]+ KiB, over the 16\.0 KiB budget; leave tool outputs out \(dropToolOutputs\)/);
  });
  it("dropToolOutputs: if-needed drops them only when over budget", () => {
    const fits = createShareLink(makeTranscript(10), { key, env: noEnv, maxFragmentBytes: 16 * 1024, dropToolOutputs: "if-needed" });
    expect(fits.toolOutputsDropped).toBe(0);
    const lean = createShareLink(big, { key, env: noEnv, maxFragmentBytes: 16 * 1024, dropToolOutputs: "if-needed" });
    expect(lean.toolOutputsDropped).toBeGreaterThan(0);
    expect(lean.size.fragment).toBeLessThanOrEqual(16 * 1024);
    const opened = verifyShareLink(lean.url).transcript;
    const tool = opened.messages.find((m) => m.role === "tool");
    expect(tool?.content).toMatch(/^\[tool output omitted from the share link: \d+ characters\]$/);
    expect(opened.messages).toHaveLength(300);
  });
  it("dropToolOutputs: true always drops; still too large says so", () => {
    expect(createShareLink(makeTranscript(10), { key, env: noEnv, dropToolOutputs: true }).toolOutputsDropped).toBeGreaterThan(0);
    expect(() => createShareLink(big, { key, env: noEnv, maxFragmentBytes: 2048, dropToolOutputs: "if-needed" })).toThrow(/even with tool outputs left out/);
  });
  it("the default budget is 64 KiB", () => {
    const huge = makeTranscript(2000, 9);
    expect(() => createShareLink(huge, { key, env: noEnv })).toThrow(/over the 64\.0 KiB budget/);
  });
});

describe("import", () => {
  it("a link seeds a session with the exact provider messages", async () => {
    const { toProviderMessage } = await import("../../../server/share/transcript.ts");
    const t = makeTranscript(30, 11);
    const opened = openShareLink(createShareLink(t, { key, env: noEnv }).url);
    const seeded = opened.messages.map(toProviderMessage);
    expect(seeded).toEqual(t.messages.map(({ at: _at, ...m }) => m));
    expect(seeded.every((m) => !("at" in m))).toBe(true);
    expect(opened.model).toBe(t.model);
  });
});

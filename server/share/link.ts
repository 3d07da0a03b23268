// Share links: `BASEURL#v1.<payload>.<sig>`.
//
// payload = base64url(deflate-raw(canonical JSON of the redacted transcript, UTF-8))
// sig     = <keyId>~<publicKey>~<signature>      signed link
//         | -<sha256>                             unsigned link (`share.sign: false`): integrity only
// where sha256 = base64url(SHA-256(payload as ASCII)), publicKey = base64url(raw 32-byte ed25519 key),
// keyId = first 16 hex digits of SHA-256(raw public key), and signature = base64url(ed25519 over the
// UTF-8 text `opencode-lsp share v1\n<keyId>\n<sha256>`). The signature thus covers the version, the
// key id and (through its hash) every character of the payload. The fragment is never sent to any
// server. The viewer (viewer-html.ts) performs the same checks with WebCrypto.
import { createHash, sign as edSign, verify as edVerify } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import * as z from "zod/mini";
import { canonicalJson } from "./canonical.ts";
import { keyIdOf, loadOrCreateShareKey, publicKeyFromRaw, type ShareKey } from "./keys.ts";
import { redactTranscript, type RedactionCounts } from "./redact.ts";
import { describeFirstIssue, normalizeTranscript, transcriptSchema, type Transcript } from "./transcript.ts";

export const LINK_VERSION = "v1";
/** Fragment budget: see docs/share.md ("Limits"). */
export const DEFAULT_MAX_FRAGMENT_BYTES = 64 * 1024;
/** Where links point when `share.baseUrl` is unset: `opencode-lsp share serve`'s default address. */
import { DEFAULT_SHARE_PORT } from "../config/ports.ts";
export { DEFAULT_SHARE_PORT };
export const DEFAULT_BASE_URL = `http://127.0.0.1:${DEFAULT_SHARE_PORT}/`;
/** Links longer than this are refused unread (no browser keeps a longer URL). */
export const MAX_LINK_CHARS = 2 * 1024 * 1024;
/** Decompression stops here: a small link must not inflate into gigabytes. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

const SIGNED_PREFIX = "opencode-lsp share v1";
const B64URL = /^[A-Za-z0-9_-]+$/;

export type ShareLinkErrorCode =
  | "not_a_link"
  | "unsupported_version"
  | "truncated"
  | "malformed"
  | "bad_encoding"
  | "hash_mismatch"
  | "key_mismatch"
  | "bad_signature"
  | "corrupt_payload"
  | "invalid_transcript"
  | "too_large";

export class ShareLinkError extends Error {
  readonly code: ShareLinkErrorCode;
  constructor(code: ShareLinkErrorCode, message: string) {
    super(message);
    this.name = "ShareLinkError";
    this.code = code;
  }
}

export type DropToolOutputs = "never" | "if-needed" | "always";

export interface CreateShareLinkOptions {
  /** `share.baseUrl`: where the viewer is hosted. Default DEFAULT_BASE_URL (`share serve`). */
  baseUrl?: string;
  /** `share.sign` (default true). False: an unsigned link, integrity hash only. */
  sign?: boolean;
  /** The signing key; default: loaded or created at `keyPath` / the XDG location. */
  key?: ShareKey;
  keyPath?: string;
  /** Environment: XDG_CONFIG_HOME for the key, and secret-looking variables to redact. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** More literal secrets to redact (configured provider API keys). */
  secrets?: string[];
  /** Fragment size budget in bytes (default 64 KiB). */
  maxFragmentBytes?: number;
  /** Replace tool outputs by a short note: never (default; a too-long link is an error), only to fit, or always. */
  dropToolOutputs?: DropToolOutputs | boolean;
}

export interface ShareLinkResult {
  url: string;
  /** Values redacted, per kind (`openai-key`: 2, ...): tell the user. */
  redactions: RedactionCounts;
  signed: boolean;
  keyId?: string;
  /** True when this share created the installation's key (first share). */
  keyCreated?: boolean;
  keyPath?: string;
  /** How many tool outputs were left out to fit (or because asked). */
  toolOutputsDropped: number;
  size: { json: number; compressed: number; fragment: number };
  /** Exactly what the link carries (normalized, redacted, maybe without tool outputs). */
  transcript: Transcript;
}

export interface OpenedShareLink {
  transcript: Transcript;
  signed: boolean;
  /** The signer's key id (signed links): compare it with one you trust. */
  keyId?: string;
  /** Whether keyId is among the trusted ones passed in (undefined when none were). */
  trusted?: boolean;
  size: { json: number; compressed: number; fragment: number };
}

const sha256b64 = (text: string): string => createHash("sha256").update(text, "latin1").digest("base64url");
const signedMessage = (keyId: string, payloadHash: string): Buffer => Buffer.from(`${SIGNED_PREFIX}\n${keyId}\n${payloadHash}`, "utf8");

export function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The payload part alone: canonical JSON → deflate-raw (level 9) → base64url. */
export function encodePayload(transcript: Transcript): { payload: string; json: number; compressed: number } {
  const json = Buffer.from(canonicalJson(transcript), "utf8");
  const compressed = deflateRawSync(json, { level: 9, memLevel: 9 });
  return { payload: compressed.toString("base64url"), json: json.length, compressed: compressed.length };
}

function withoutToolOutputs(t: Transcript): { transcript: Transcript; dropped: number } {
  let dropped = 0;
  const messages = t.messages.map((m) => {
    if (m.role !== "tool" || m.content.length === 0) return m;
    dropped++;
    return { ...m, content: `[tool output omitted from the share link: ${m.content.length} characters]` };
  });
  return { transcript: { ...t, messages }, dropped };
}

function withFragment(baseUrl: string, fragment: string): string {
  const hash = baseUrl.indexOf("#");
  return `${hash >= 0 ? baseUrl.slice(0, hash) : baseUrl}#${fragment}`;
}

/**
 * Encodes a session transcript into a share link: validated, redacted, canonical, compressed,
 * signed (unless `sign: false`). Throws a TypeError naming the field for an invalid transcript and a
 * ShareLinkError("too_large") when the fragment exceeds the budget.
 */
export function createShareLink(input: unknown, options: CreateShareLinkOptions = {}): ShareLinkResult {
  const env = options.env ?? process.env;
  const normalized = normalizeTranscript(input);
  const { transcript: redacted, redactions } = redactTranscript(normalized, { env, secrets: options.secrets });
  const drop = options.dropToolOutputs === true ? "always" : options.dropToolOutputs === false || options.dropToolOutputs === undefined ? "never" : options.dropToolOutputs;
  const budget = options.maxFragmentBytes ?? DEFAULT_MAX_FRAGMENT_BYTES;
  const sign = options.sign ?? true;
  const key = sign ? (options.key ?? loadOrCreateShareKey({ path: options.keyPath, env })) : undefined;
  // The signature segment's length does not depend on the content: ~147 chars signed, 44 unsigned.
  const build = (t: Transcript) => {
    const { payload, json, compressed } = encodePayload(t);
    const hash = sha256b64(payload);
    let sig: string;
    if (key) {
      const pub = key.publicKey.toString("base64url");
      const signature = edSign(null, signedMessage(key.keyId, hash), key.privateKey).toString("base64url");
      sig = `${key.keyId}~${pub}~${signature}`;
    } else {
      sig = `-${hash}`;
    }
    const fragment = `${LINK_VERSION}.${payload}.${sig}`;
    return { fragment, json, compressed };
  };

  let transcript = redacted;
  let dropped = 0;
  if (drop === "always") ({ transcript, dropped } = withoutToolOutputs(redacted));
  let built = build(transcript);
  if (built.fragment.length > budget && drop === "if-needed") {
    const lean = withoutToolOutputs(redacted);
    if (lean.dropped > 0) {
      transcript = lean.transcript;
      dropped = lean.dropped;
      built = build(transcript);
    }
  }
  if (built.fragment.length > budget) {
    const advice =
      dropped > 0
        ? " even with tool outputs left out; share a shorter session"
        : transcript.messages.some((m) => m.role === "tool")
          ? "; leave tool outputs out (dropToolOutputs) or share a shorter session"
          : "; share a shorter session";
    throw new ShareLinkError("too_large", `the share link would be ${formatKiB(built.fragment.length)}, over the ${formatKiB(budget)} budget${advice}`);
  }
  const result: ShareLinkResult = {
    url: withFragment(options.baseUrl ?? DEFAULT_BASE_URL, built.fragment),
    redactions,
    signed: key !== undefined,
    toolOutputsDropped: dropped,
    size: { json: built.json, compressed: built.compressed, fragment: built.fragment.length },
    transcript,
  };
  if (key) {
    result.keyId = key.keyId;
    result.keyCreated = key.created;
    result.keyPath = key.path;
  }
  return result;
}

function fragmentOf(link: string): string {
  // A link wrapped over lines (mail, terminals) is still the link: base64url holds no white space.
  let text = link.replace(/\s+/g, "");
  const hash = text.indexOf("#");
  if (hash >= 0) text = text.slice(hash + 1);
  if (text.includes("%")) {
    try {
      text = decodeURIComponent(text).replace(/\s+/g, "");
    } catch {
      throw new ShareLinkError("bad_encoding", "the link holds a broken %-escape");
    }
  }
  // Where a link was shown cut short, an ellipsis stands for the rest.
  if (/(\u2026|\.\.\.)$/.test(text)) throw new ShareLinkError("truncated", "the link ends with an ellipsis: it was cut short where it was copied from; copy the whole link");
  return text;
}

function b64urlBytes(text: string, what: string, expected?: number): Buffer {
  if (!B64URL.test(text)) throw new ShareLinkError("bad_encoding", `the ${what} is not base64url`);
  const bytes = Buffer.from(text, "base64url");
  if (expected !== undefined && bytes.length !== expected) {
    throw new ShareLinkError(bytes.length < expected ? "truncated" : "malformed", `the ${what} is ${bytes.length} bytes, expected ${expected}${bytes.length < expected ? ": the link was cut short" : ""}`);
  }
  return bytes;
}

/**
 * Validates a share link (a URL with the fragment, or the bare `v1....` fragment) and decodes its
 * transcript. Everything is checked before anything is returned: format, version, signature or
 * hash, decompression, canonical JSON, schema. Throws a ShareLinkError with the reason.
 */
export function verifyShareLink(link: string, options: { trustedKeys?: string[] } = {}): OpenedShareLink {
  if (link.length > MAX_LINK_CHARS) throw new ShareLinkError("too_large", `the link is ${formatKiB(link.length)}, over the ${formatKiB(MAX_LINK_CHARS)} a link may hold`);
  const fragment = fragmentOf(link);
  if (fragment === "") throw new ShareLinkError("not_a_link", "the link holds no transcript (nothing after #)");
  const parts = fragment.split(".");
  const version = parts[0] ?? "";
  if (!/^v\d+$/.test(version)) throw new ShareLinkError("not_a_link", "not a share link: it does not start with a format version (v1.)");
  if (version !== LINK_VERSION) throw new ShareLinkError("unsupported_version", `link format ${version} is not supported (only ${LINK_VERSION} is)`);
  if (parts.length < 3 || parts[1] === "") throw new ShareLinkError("truncated", "the link is truncated: its signature part is missing");
  if (parts.length > 3) throw new ShareLinkError("malformed", `the link has ${parts.length} dot-separated parts, expected 3`);
  const payload = parts[1]!;
  const sig = parts[2]!;
  if (!B64URL.test(payload)) throw new ShareLinkError("bad_encoding", "the payload is not base64url");
  if (sig === "") throw new ShareLinkError("truncated", "the link is truncated: its signature part is empty");
  const hash = sha256b64(payload);

  let keyId: string | undefined;
  if (sig.startsWith("-")) {
    const claimed = sig.slice(1);
    b64urlBytes(claimed, "integrity hash", 32);
    if (claimed !== hash) throw new ShareLinkError("hash_mismatch", "the payload does not match its SHA-256 hash: the link was altered or damaged");
  } else {
    const fields = sig.split("~");
    if (fields.length !== 3) {
      throw new ShareLinkError(fields.length < 3 ? "truncated" : "malformed", `the signature part has ${fields.length} ~-separated fields, expected 3 (key id, public key, signature)`);
    }
    const [id, pubText, sigText] = fields as [string, string, string];
    if (!/^[0-9a-f]{16}$/.test(id)) throw new ShareLinkError("malformed", "the key id is not 16 hex digits");
    const pub = b64urlBytes(pubText, "public key", 32);
    const signature = b64urlBytes(sigText, "signature", 64);
    if (keyIdOf(pub) !== id) throw new ShareLinkError("key_mismatch", `the key id ${id} does not match the public key the link carries`);
    let ok = false;
    try {
      ok = edVerify(null, signedMessage(id, hash), publicKeyFromRaw(pub), signature);
    } catch {
      ok = false;
    }
    if (!ok) throw new ShareLinkError("bad_signature", "the signature does not verify: the link was altered after it was signed");
    keyId = id;
  }

  const compressed = Buffer.from(payload, "base64url");
  let json: Buffer;
  try {
    json = inflateRawSync(compressed, { maxOutputLength: MAX_JSON_BYTES });
  } catch (error) {
    const tooBig = (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
    throw new ShareLinkError(tooBig ? "too_large" : "corrupt_payload", tooBig ? `the transcript inflates past ${MAX_JSON_BYTES / 1024 / 1024} MiB` : "the payload does not decompress");
  }
  let text: string;
  let raw: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(json);
    raw = JSON.parse(text);
  } catch {
    throw new ShareLinkError("corrupt_payload", "the payload is not UTF-8 JSON");
  }
  if (canonicalJson(raw) !== text) throw new ShareLinkError("corrupt_payload", "the payload is not canonical JSON");
  const parsed = z.safeParse(transcriptSchema, raw);
  if (!parsed.success) throw new ShareLinkError("invalid_transcript", `the transcript is invalid: ${describeFirstIssue(parsed.error)}`);
  const out: OpenedShareLink = {
    transcript: parsed.data,
    signed: keyId !== undefined,
    size: { json: json.length, compressed: compressed.length, fragment: fragment.length },
  };
  if (keyId !== undefined) {
    out.keyId = keyId;
    if (options.trustedKeys) out.trusted = options.trustedKeys.includes(keyId);
  }
  return out;
}

/** The validated transcript of a share link, to seed a session from (`opencode.session.import`). */
export function openShareLink(link: string): Transcript {
  return verifyShareLink(link).transcript;
}

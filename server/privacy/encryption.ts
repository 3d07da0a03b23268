// Encryption at rest in memory: AES-256-GCM with a per-session key, and an eraser that overwrites key
// and plaintext buffers. A session's transcript is held sealed between turns (`SealedTranscript`), so
// a heap dump taken between turns, or after the session ended, holds ciphertext, not prompts.
//
// Keys live in Buffers allocated with Buffer.alloc (never from Node's shared pool, so wiping one
// wipes the only copy). JS strings cannot be wiped: plaintext strings are dropped as soon as they are
// sealed and left to the garbage collector; the tests check a heap snapshot holds none of them.
import { createCipheriv, createDecipheriv, randomFillSync } from "node:crypto";

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A fresh random 256-bit key in its own (unpooled) buffer. */
export function createKey(): Buffer {
  return randomFillSync(Buffer.alloc(KEY_BYTES));
}

/** Overwrites a buffer (random bytes, then zeros). Safe on an already-erased or empty buffer. */
export function wipe(buffer: Uint8Array | undefined): void {
  if (!buffer || buffer.byteLength === 0) return;
  randomFillSync(buffer);
  buffer.fill(0);
}

/** iv (12) ‖ tag (16) ‖ ciphertext. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Buffer {
  if (key.byteLength !== KEY_BYTES) throw new Error("seal: the key must be 32 bytes");
  const iv = randomFillSync(Buffer.alloc(IV_BYTES));
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  if (aad) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Opens what `seal` made; throws if the key is wrong or a byte was changed. */
export function open(key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Buffer {
  if (key.byteLength !== KEY_BYTES) throw new Error("open: the key must be 32 bytes");
  if (sealed.byteLength < IV_BYTES + TAG_BYTES) throw new Error("open: sealed data is too short");
  const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = createDecipheriv("aes-256-gcm", key, data.subarray(0, IV_BYTES));
  decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  if (aad) decipher.setAAD(aad);
  const parts = [decipher.update(data.subarray(IV_BYTES + TAG_BYTES))];
  try {
    parts.push(decipher.final());
    return Buffer.concat(parts);
  } finally {
    for (const part of parts) wipe(part); // the intermediate plaintext copies
  }
}

/** A key that can be used until erased; erasing overwrites it. */
export class SessionKey {
  private key: Buffer | undefined = createKey();

  get erased(): boolean {
    return this.key === undefined;
  }

  seal(plaintext: Uint8Array, aad?: Uint8Array): Buffer {
    if (!this.key) throw new Error("the session key was erased");
    return seal(this.key, plaintext, aad);
  }

  open(sealed: Uint8Array, aad?: Uint8Array): Buffer {
    if (!this.key) throw new Error("the session key was erased");
    return open(this.key, sealed, aad);
  }

  erase(): void {
    wipe(this.key);
    this.key = undefined;
  }
}

/**
 * A value (a session's message list) kept encrypted between uses. `seal(value)` encrypts a JSON copy
 * and keeps only the ciphertext; `open()` decrypts a fresh copy; `erase()` overwrites the key and the
 * ciphertext, after which nothing can open it. The caller drops its own references to the plaintext
 * after sealing (e.g. `messages.length = 0`).
 */
export class SealedTranscript<T = unknown> {
  private readonly key = new SessionKey();
  private sealed: Buffer | undefined;
  private readonly aad: Buffer | undefined;
  private count = 0;

  /** `label` (e.g. the session id) is bound to the ciphertext as associated data. */
  constructor(label?: string) {
    this.aad = label === undefined ? undefined : Buffer.from(label, "utf8");
  }

  /** Replaces the sealed value with `value`. */
  seal(value: T): void {
    const plain = Buffer.from(JSON.stringify(value ?? null), "utf8");
    try {
      const next = this.key.seal(plain, this.aad);
      wipe(this.sealed);
      this.sealed = next;
      this.count = Array.isArray(value) ? value.length : 1;
    } finally {
      wipe(plain);
    }
  }

  /** A fresh copy of the sealed value (undefined when nothing was sealed yet). Throws after erase. */
  open(): T | undefined {
    if (this.key.erased) throw new Error("the transcript was erased");
    if (!this.sealed) return undefined;
    const plain = this.key.open(this.sealed, this.aad);
    try {
      return JSON.parse(plain.toString("utf8")) as T;
    } finally {
      wipe(plain);
    }
  }

  /** Items in the sealed value (messages), without decrypting. */
  get length(): number {
    return this.count;
  }

  get erased(): boolean {
    return this.key.erased;
  }

  /** Bytes of ciphertext held. */
  get size(): number {
    return this.sealed?.byteLength ?? 0;
  }

  erase(): void {
    this.key.erase();
    wipe(this.sealed);
    this.sealed = undefined;
    this.count = 0;
  }
}

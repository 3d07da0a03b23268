// Completion cache: a deterministic request (temperature 0) for the same model(s), system prompt,
// messages, tools and max tokens replays the recorded events from memory. An entry is stored only
// after a complete, successful stream.
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { ModelRequest, StreamEvent } from "./types.ts";

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  maxEntries: number;
  ttlMs: number;
}

export class CompletionCache {
  private lru: LRUCache<string, StreamEvent[]> | undefined;
  private maxEntries: number;
  private ttlMs: number;
  hits = 0;
  misses = 0;

  constructor(options: { maxEntries: number; ttlMs: number }) {
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs;
    this.lru = this.make();
  }

  private make(): LRUCache<string, StreamEvent[]> | undefined {
    if (this.maxEntries <= 0) return undefined;
    return new LRUCache<string, StreamEvent[]>({ max: this.maxEntries, ...(this.ttlMs > 0 ? { ttl: this.ttlMs } : {}) });
  }

  /** New size or TTL (config change): the cache starts empty. */
  configure(options: { maxEntries: number; ttlMs: number }): void {
    if (options.maxEntries === this.maxEntries && options.ttlMs === this.ttlMs) return;
    this.maxEntries = options.maxEntries;
    this.ttlMs = options.ttlMs;
    this.lru = this.make();
  }

  /** The key of a cacheable request, or undefined (temperature not 0, or caching off). */
  keyOf(models: string[], request: ModelRequest): string | undefined {
    if (!this.lru || request.temperature !== 0) return undefined;
    const material = JSON.stringify([models, request.system ?? "", request.messages, request.tools ?? [], request.maxTokens ?? null, ...(request.fim ? [request.fim] : [])]);
    return createHash("sha256").update(material).digest("base64url");
  }

  get(key: string): StreamEvent[] | undefined {
    const events = this.lru?.get(key);
    if (events) this.hits++;
    else this.misses++;
    return events;
  }

  set(key: string, events: StreamEvent[]): void {
    this.lru?.set(key, events);
  }

  clear(): void {
    this.lru?.clear();
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.lru?.size ?? 0, maxEntries: this.maxEntries, ttlMs: this.ttlMs };
  }
}

export async function* replay(events: StreamEvent[]): AsyncGenerator<StreamEvent> {
  for (const event of events) yield event;
}

/** Passes a stream through, storing its events if it completes successfully. */
export async function* recording(stream: AsyncIterable<StreamEvent>, store: (events: StreamEvent[]) => void): AsyncGenerator<StreamEvent> {
  const events: StreamEvent[] = [];
  let ok = false;
  for await (const event of stream) {
    events.push(event);
    if (event.type === "stop") ok = event.reason !== "cancelled" && event.reason !== "error";
    else if (event.type === "error") ok = false;
    yield event;
  }
  if (ok) store(events);
}

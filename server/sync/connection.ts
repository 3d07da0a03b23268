// This machine's link to the sync server: one WebSocket (Node's global WebSocket) that carries a
// Hocuspocus provider per document. Updates from the server are checked before they reach a
// document: one that does not decode as Yjs is dropped with a log line, never applied, never
// fatal. A refused token stops the link with a clear message instead of retrying forever.
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { createDecoder, readVarString, readVarUint, readVarUint8Array } from "lib0/decoding";
import * as Y from "yjs";
import type { Logger } from "../log.ts";
import { REFUSED_TOKEN } from "./names.ts";

export type LinkState = "connecting" | "connected" | "disconnected" | "unauthorized";

export interface SyncHealth {
  url: string;
  room: string;
  machine: string;
  state: LinkState;
  /** Local changes the server has not acknowledged yet. */
  pendingUpdates: number;
  /** When the server last acknowledged or sent a change (ISO), null before the first. */
  lastSync: string | null;
  documents: number;
  droppedUpdates: number;
  refused?: string;
}

export interface SyncConnectionOptions {
  url: string;
  token: string;
  room: string;
  machine: string;
  log?: Logger;
  /** The server refused the token (once). */
  onRefused?(reason: string): void;
}

export class SyncConnection {
  readonly options: SyncConnectionOptions;
  private readonly socket: HocuspocusProviderWebsocket;
  private readonly providers = new Set<CheckedProvider>();
  private state: LinkState = "connecting";
  private refused: string | undefined;
  private lastSync: number | undefined;
  dropped = 0;

  constructor(options: SyncConnectionOptions) {
    this.options = options;
    this.socket = new HocuspocusProviderWebsocket({
      url: options.url,
      // Reconnect soon after a drop, and never wait long: the docs merge whenever the link is back.
      delay: 300,
      minDelay: 200,
      maxDelay: 3_000,
      factor: 1.5,
      onStatus: ({ status }) => {
        if (this.state !== "unauthorized") this.state = status as LinkState;
      },
    });
  }

  get connected(): boolean {
    return this.state === "connected";
  }

  /**
   * Attaches `doc` to the server document `name`. `synced(ms)` resolves true after the first
   * exchange with the server, false when it did not happen within `ms` (offline: the doc merges later).
   */
  open(name: string, doc: Y.Doc, options: { awareness?: boolean } = {}): { provider: HocuspocusProvider; synced(withinMs: number): Promise<boolean> } {
    const provider = new CheckedProvider(this, {
      websocketProvider: this.socket,
      name,
      document: doc,
      token: this.options.token,
      ...(options.awareness ? {} : { awareness: null }),
      onAuthenticationFailed: ({ reason }) => this.refuse(name, reason),
      onUnsyncedChanges: ({ number }) => {
        if (number === 0) this.lastSync = Date.now();
      },
      onSynced: () => {
        this.lastSync = Date.now();
      },
    });
    this.providers.add(provider);
    provider.attach();
    const first = new Promise<boolean>((resolve) => {
      provider.on("synced", () => resolve(true));
      provider.on("authenticationFailed", () => resolve(false));
      provider.on("destroy", () => resolve(false));
    });
    const synced = (withinMs: number) =>
      provider.isSynced ? Promise.resolve(true) : Promise.race([first, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs).unref())]);
    return { provider, synced };
  }

  close(provider: HocuspocusProvider): void {
    this.providers.delete(provider as CheckedProvider);
    provider.destroy();
  }

  health(): SyncHealth {
    let pending = 0;
    for (const p of this.providers) pending += p.unsyncedChanges;
    return {
      url: this.options.url,
      room: this.options.room,
      machine: this.options.machine,
      state: this.state,
      pendingUpdates: pending,
      lastSync: this.lastSync ? new Date(this.lastSync).toISOString() : null,
      documents: this.providers.size,
      droppedUpdates: this.dropped,
      ...(this.refused ? { refused: this.refused } : {}),
    };
  }

  destroy(): void {
    for (const provider of this.providers) provider.destroy();
    this.providers.clear();
    this.socket.destroy();
  }

  /** A refused token stops the link; a refused document (a name the server does not take) is only logged. */
  private refuse(document: string, reason: string): void {
    this.refused = reason;
    if (reason !== REFUSED_TOKEN) {
      this.options.log?.warn({ url: this.options.url, document, reason }, "the sync server refused a document");
      return;
    }
    if (this.state === "unauthorized") return;
    this.state = "unauthorized";
    this.options.log?.error({ url: this.options.url, reason }, "the sync server refused the token");
    this.socket.disconnect();
    this.options.onRefused?.(reason);
  }
}

/** A provider that checks each update from the server before applying it. */
class CheckedProvider extends HocuspocusProvider {
  private readonly link: SyncConnection;

  constructor(link: SyncConnection, configuration: ConstructorParameters<typeof HocuspocusProvider>[0]) {
    super(configuration);
    this.link = link;
  }

  override onMessage(event: MessageEvent): void {
    const problem = invalidUpdate(new Uint8Array(event.data as ArrayBuffer));
    if (problem) {
      this.link.dropped++;
      this.link.options.log?.warn({ document: this.configuration.name, problem }, "dropped a sync message that is not valid Yjs");
      return;
    }
    try {
      super.onMessage(event);
    } catch (error) {
      this.link.dropped++;
      this.link.options.log?.warn({ document: this.configuration.name, err: error }, "a sync message could not be applied");
    }
  }
}

/** Why a Hocuspocus message is unusable, or undefined: sync messages must carry a decodable update. */
function invalidUpdate(data: Uint8Array): string | undefined {
  try {
    const decoder = createDecoder(data);
    readVarString(decoder); // document name
    if (readVarUint(decoder) !== 0) return undefined; // not a sync message
    const step = readVarUint(decoder);
    if (step === 1 || step === 2) Y.decodeUpdate(readVarUint8Array(decoder));
    return undefined;
  } catch (error) {
    return (error as Error).message || "undecodable";
  }
}

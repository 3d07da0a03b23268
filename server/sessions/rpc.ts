// Requests both ways over a worker's message port: `call` returns the other side's answer;
// `handle` answers a method. Errors travel as messages. Everything crossing is structured-cloned.
import type { MessagePort, Worker } from "node:worker_threads";

type Port = Pick<MessagePort, "postMessage" | "on"> | Pick<Worker, "postMessage" | "on">;

type Message =
  | { rpc: "call"; id: number; method: string; params: unknown }
  | { rpc: "result"; id: number; value?: unknown; error?: string }
  | { rpc: "event"; name: string; payload: unknown };

export class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly handlers = new Map<string, (params: any) => unknown>();
  private readonly listeners = new Map<string, (payload: any) => void>();
  private readonly port: Port;

  constructor(port: Port) {
    this.port = port;
    (port.on as (event: "message", listener: (message: Message) => void) => void)("message", (message: Message) => void this.receive(message));
  }

  call<T>(method: string, params?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ rpc: "call", id, method, params } satisfies Message);
    });
  }

  handle(method: string, handler: (params: any) => unknown): void {
    this.handlers.set(method, handler);
  }

  emit(name: string, payload: unknown): void {
    this.port.postMessage({ rpc: "event", name, payload } satisfies Message);
  }

  on(name: string, listener: (payload: any) => void): void {
    this.listeners.set(name, listener);
  }

  /** Fails every call still waiting (the other side is gone). */
  failAll(reason: string): void {
    for (const { reject } of this.pending.values()) reject(new Error(reason));
    this.pending.clear();
  }

  private async receive(message: Message): Promise<void> {
    if (message.rpc === "result") {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.value);
    } else if (message.rpc === "event") {
      this.listeners.get(message.name)?.(message.payload);
    } else {
      const handler = this.handlers.get(message.method);
      try {
        if (!handler) throw new Error(`no handler for ${message.method}`);
        const value = await handler(message.params);
        this.port.postMessage({ rpc: "result", id: message.id, value } satisfies Message);
      } catch (error) {
        this.port.postMessage({ rpc: "result", id: message.id, error: (error as Error)?.message ?? String(error) } satisfies Message);
      }
    }
  }
}

// What a session's write waits for: its change reaching where the file shows (the editor's buffer
// for an open file, the disk otherwise) within a deadline, or the reason it could not. A change is
// named by its Yjs client and clock; a destination holds it once its state vector covers that clock.
import * as Y from "yjs";

/** A Yjs state vector: client → the next clock. */
export type State = Map<number, number>;

/** An edit that did not reach the buffer or the file: the tool call fails with this message. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
}

interface Waiter {
  client: number;
  clock: number;
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class Deliveries {
  private readonly waiters = new Set<Waiter>();

  /** Resolves once a destination holds `clock` of `client`; rejects at the deadline with `why()`. */
  wait(client: number, clock: number, timeoutMs: number, why: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        client,
        clock,
        resolve,
        reject,
        timer: setTimeout(() => this.settle(waiter, new DeliveryError(why())), timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** A destination now holds everything in `state`. */
  reached(state: State): void {
    for (const waiter of this.waiters) if ((state.get(waiter.client) ?? 0) >= waiter.clock) this.settle(waiter);
  }

  /** Every change still waiting failed, for `reason`. */
  failAll(reason: string): void {
    for (const waiter of this.waiters) this.settle(waiter, new DeliveryError(reason));
  }

  get waiting(): boolean {
    return this.waiters.size > 0;
  }

  private settle(waiter: Waiter, error?: Error): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    if (error) waiter.reject(error);
    else waiter.resolve();
  }
}

export function stateOf(doc: Y.Doc): State {
  return Y.decodeStateVector(Y.encodeStateVector(doc));
}

// A small typed event bus: synchronous delivery, one listener failing never stops the others.
import type { BusEvent, BusEventType, EventOf } from "./events.ts";

type Listener<T extends BusEventType> = (event: EventOf<T>) => void;

export class Bus {
  private readonly listeners = new Map<BusEventType, Set<Listener<any>>>();

  private readonly onListenerError: (error: unknown, event: BusEvent) => void;

  constructor(onListenerError: (error: unknown, event: BusEvent) => void = () => {}) {
    this.onListenerError = onListenerError;
  }

  on<T extends BusEventType>(type: T, listener: Listener<T>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  publish(event: BusEvent): void {
    const set = this.listeners.get(event.type);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}

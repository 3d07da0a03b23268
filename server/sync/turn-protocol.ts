// Turns are serialized per session by a lease the sync server holds (turn-lock.ts), asked for with
// Hocuspocus stateless messages on the session's document. `after` is the releasing machine's state
// vector of the session doc (base64): the next holder waits until it has that state (the previous
// turn's transcript) before its loop starts.
export type TurnMessage =
  | { turn: "acquire"; holder: string }
  | { turn: "renew"; holder: string }
  | { turn: "release"; holder: string; after?: string }
  | { turn: "granted"; holder: string; after?: string }
  | { turn: "busy"; holder: string; current: string }
  /** Broadcast when a lease ends: waiters ask again. */
  | { turn: "free" };

/** A lease lasts this long unless renewed (a machine that died mid-turn frees it by then). */
export const TURN_LEASE_MS = 30_000;

export function parseTurnMessage(payload: string): TurnMessage | undefined {
  try {
    const value = JSON.parse(payload) as Partial<TurnMessage> & Record<string, unknown>;
    if (typeof value !== "object" || value === null || typeof value.turn !== "string") return undefined;
    if (value.turn !== "free" && typeof value.holder !== "string") return undefined;
    return value as TurnMessage;
  } catch {
    return undefined;
  }
}

// This machine's side of the turn leases (turn-protocol.ts): ask the server for a session's turn,
// wait while another machine holds it, renew it while the loop runs, give it back with the state
// the next holder must have. Offline (or against a server that does not answer) the turn runs
// here at once: offline keeps working, and the transcript merges on reconnect.
import type { HocuspocusProvider } from "@hocuspocus/provider";
import * as Y from "yjs";
import type { Logger } from "../log.ts";
import { parseTurnMessage, TURN_LEASE_MS, type TurnMessage } from "./turn-protocol.ts";

/** A server that does not answer an acquire within this long is taken as one without leases. */
const ANSWER_MS = 3_000;
/** A busy session is asked again this often (and whenever its lease is freed). */
const RETRY_MS = 1_000;
/** How long the next holder waits for the previous turn's state to arrive. */
const CATCH_UP_MS = 5_000;

export interface Turn {
  /** "lease": the server granted it; "offline": taken locally (no link, or no answer). */
  kind: "lease" | "offline";
  release(doc: Y.Doc): void;
}

export function takeTurn(provider: HocuspocusProvider, doc: Y.Doc, holder: string, connected: () => boolean, log?: Logger): Promise<Turn> {
  const send = (m: TurnMessage) => provider.sendStateless(JSON.stringify(m));
  const offline: Turn = { kind: "offline", release: () => undefined };
  if (!connected()) return Promise.resolve(offline);
  return new Promise<Turn>((resolve) => {
    let answerTimer: NodeJS.Timeout | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    const finish = (turn: Turn) => {
      clearTimeout(answerTimer);
      clearTimeout(retryTimer);
      provider.off("stateless", onStateless);
      provider.off("disconnect", onDisconnect);
      resolve(turn);
    };
    const ask = () => {
      clearTimeout(retryTimer);
      if (!connected()) return finish(offline);
      send({ turn: "acquire", holder });
      clearTimeout(answerTimer);
      answerTimer = setTimeout(() => {
        log?.warn({ document: provider.configuration.name }, "the sync server did not answer for the turn; running it here");
        finish(offline);
      }, ANSWER_MS);
    };
    const onStateless = ({ payload }: { payload: string }) => {
      const message = parseTurnMessage(payload);
      if (message?.turn === "granted" && message.holder === holder) {
        // Ours: stop listening (a drop while catching up must not turn it into an offline turn).
        clearTimeout(answerTimer);
        provider.off("stateless", onStateless);
        provider.off("disconnect", onDisconnect);
        const renew = setInterval(() => send({ turn: "renew", holder }), TURN_LEASE_MS / 3);
        renew.unref();
        const lease: Turn = {
          kind: "lease",
          release: (d) => {
            clearInterval(renew);
            send({ turn: "release", holder, after: Buffer.from(Y.encodeStateVector(d)).toString("base64") });
          },
        };
        void caughtUp(doc, message.after).then(() => finish(lease));
      } else if (message?.turn === "busy" && message.holder === holder) {
        clearTimeout(answerTimer);
        retryTimer = setTimeout(ask, RETRY_MS);
      } else if (message?.turn === "free" && retryTimer) {
        ask();
      }
    };
    const onDisconnect = () => finish(offline);
    provider.on("stateless", onStateless);
    provider.on("disconnect", onDisconnect);
    ask();
  });
}

/** Resolves once `doc` holds the state `after` names (the previous turn), or after CATCH_UP_MS. */
function caughtUp(doc: Y.Doc, after: string | undefined): Promise<void> {
  if (!after) return Promise.resolve();
  let wanted: Map<number, number>;
  try {
    wanted = Y.decodeStateVector(Buffer.from(after, "base64"));
  } catch {
    return Promise.resolve();
  }
  const done = () => {
    const have = Y.decodeStateVector(Y.encodeStateVector(doc));
    for (const [client, clock] of wanted) if ((have.get(client) ?? 0) < clock) return false;
    return true;
  };
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, CATCH_UP_MS);
    function finish() {
      clearTimeout(timer);
      doc.off("update", check);
      resolve();
    }
    function check() {
      if (done()) finish();
    }
    doc.on("update", check);
  });
}

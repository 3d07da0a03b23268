// The adapter for a protocol, its module imported on first use so no SDK loads at startup.
import type { Adapter, Protocol } from "../types.ts";

const loaded = new Map<Protocol, Promise<Adapter>>();

export function loadAdapter(protocol: Protocol): Promise<Adapter> {
  let adapter = loaded.get(protocol);
  if (!adapter) {
    adapter =
      protocol === "openai"
        ? import("./openai.ts").then((m) => m.openOpenAI)
        : protocol === "anthropic"
          ? import("./anthropic.ts").then((m) => m.openAnthropic)
          : import("./ollama.ts").then((m) => m.openOllama);
    loaded.set(protocol, adapter);
  }
  return adapter;
}

// The adapter for a protocol, its module imported on first use so no SDK loads at startup.
import type { AdapterStream, Protocol } from "../types.ts";

const loaded = new Map<Protocol, Promise<AdapterStream>>();

export function loadAdapter(protocol: Protocol): Promise<AdapterStream> {
  let adapter = loaded.get(protocol);
  if (!adapter) {
    adapter =
      protocol === "openai"
        ? import("./openai.ts").then((m) => m.streamOpenAI)
        : protocol === "anthropic"
          ? import("./anthropic.ts").then((m) => m.streamAnthropic)
          : import("./ollama.ts").then((m) => m.streamOllama);
    loaded.set(protocol, adapter);
  }
  return adapter;
}

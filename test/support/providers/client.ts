// Helpers for tests that point the providers layer at scripted servers.
import { createModelClient, type ModelClient, type ModelClientOptions } from "../../../server/providers/index.ts";
import type { ScriptProtocol, ScriptedProvider } from "./scripted-server.ts";

/** A client with one provider "test" (protocol of your choice) on a scripted server. */
export function clientFor(server: ScriptedProvider, protocol: ScriptProtocol = server.protocol, extra: Partial<ModelClientOptions> = {}): ModelClient {
  return createModelClient({
    config: { providers: { test: { baseURL: server.baseURLs[protocol], protocol, apiKey: "test-key" } }, cache: { maxEntries: 100, ttlMs: 60_000 } },
    env: {},
    ...extra,
  });
}

export const TOOLS = [
  { name: "read_file", description: "Read a file", inputSchema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } },
  { name: "edit", description: "Edit a file", inputSchema: { type: "object", properties: { path: { type: "string" }, old: { type: "string" }, new: { type: "string" } } } },
];

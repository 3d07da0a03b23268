// Standalone scripted provider, for end-to-end tests that spawn the server as a process:
//   node test/support/providers/serve.ts script.json
// script.json: { "protocol": "openai" | "anthropic" | "ollama", "turns": [ScriptedTurn...], "port"?: N }
// Prints one JSON line to stdout: { "port", "baseURL", "baseURLs" }. GET /__requests returns the
// recorded requests; POST /__script { turns } replaces the script. Stops on SIGTERM/SIGINT.
import { readFileSync } from "node:fs";
import { startScriptedProvider, type ScriptedProviderOptions } from "./scripted-server.ts";

const file = process.argv[2];
const options: ScriptedProviderOptions = file ? (JSON.parse(readFileSync(file, "utf8")) as ScriptedProviderOptions) : {};
const server = await startScriptedProvider(options);
process.stdout.write(`${JSON.stringify({ port: server.port, baseURL: server.baseURL, baseURLs: server.baseURLs })}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

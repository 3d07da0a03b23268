// The floor of any process between an editor and its language server: a relay that starts the
// server and copies bytes both ways, parsing nothing. What opencode-lsp adds beyond this relay is
// its own work; what the relay adds is the extra process hop (two more pipe writes and wake-ups).
// Usage: node byte-relay.ts COMMAND [ARGS...]
import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
if (!command) throw new Error("usage: byte-relay COMMAND [ARGS...]");
const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.on("exit", (code) => process.exit(code ?? 1));
process.stdin.on("end", () => child.stdin.end());

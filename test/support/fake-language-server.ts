// A small language server for proxy tests, written on raw frames so a test controls the very bytes
// it answers with, and so it can misbehave on purpose. Runs under node directly (erasable
// TypeScript only):  node test/support/fake-language-server.ts [MODE...]
//
// Behaviour (any well-formed server):
//   initialize → hover, definition, completion, workspaceSymbol, executeCommand "fake.echo"
//   textDocument/hover → `{"contents":"line L of URI (v V)"}` written with its own spacing and key order
//                        (id last) — what a byte-level pass-through must keep as it is;
//                        (with --cancel-line=L: answers line L only when cancelled, RequestCancelled;
//                        with --crash-line=L: exits on a hover at line L)
//   textDocument/definition → a Location at the position; textDocument/completion → N items (line+1)
//   workspace/symbol → one symbol; anything else → null; params it cannot read → InvalidParams
//   before answering its first hover it asks the client workspace/configuration (numeric id 1),
//   so the client's own requests and the passed-through ones are both in flight.
// Modes:
//   --banner        writes a line of text to stdout before anything else (garbage a reader must skip)
//   --garbage-only  writes garbage to stdout every 20 ms and never a frame
//   --hang          never answers initialize
//   --exit=N        exits with code N at once
//   --stderr=TEXT   writes TEXT to stderr at start
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const value = (name: string) => flag(name)?.split("=").slice(1).join("=");

const stderr = value("stderr");
if (stderr) process.stderr.write(`${stderr}\n`);
const exitCode = value("exit");
if (exitCode !== undefined) process.exit(Number(exitCode));
if (flag("garbage-only")) {
  setInterval(() => process.stdout.write("this is not a frame {\"jsonrpc\": nope}\n"), 20);
} else {
  if (flag("banner")) process.stdout.write("fake-language-server 1.0 starting (a banner on stdout)\n");
  serve();
}

function serve(): void {
  const hang = Boolean(flag("hang"));
  const crashLine = value("crash-line") === undefined ? undefined : Number(value("crash-line"));
  const cancelLine = value("cancel-line") === undefined ? undefined : Number(value("cancel-line"));
  const docs = new Map<string, number>();
  const waitingForCancel = new Map<string, unknown>();
  let askedConfiguration = false;
  let buffer = Buffer.alloc(0);

  const write = (body: string) => process.stdout.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const answer = (id: unknown, result: unknown): void => void write(JSON.stringify({ jsonrpc: "2.0", id, result }));

  process.stdin.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString("latin1"))?.[1]);
      if (buffer.length < headerEnd + 4 + length) return;
      const body = buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8");
      buffer = buffer.subarray(headerEnd + 4 + length);
      try {
        handle(JSON.parse(body));
      } catch (error) {
        const id = (() => {
          try {
            return JSON.parse(body).id;
          } catch {
            return undefined;
          }
        })();
        if (id !== undefined) write(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32602, message: `fake: ${(error as Error).message}` } }));
      }
    }
  });
  process.stdin.on("end", () => process.exit(0));

  function handle(message: { id?: unknown; method?: string; params?: any; result?: unknown }): void {
    const { id, method, params } = message;
    if (method === undefined) return; // a response to our workspace/configuration
    if (hang) return;
    switch (method) {
      case "initialize":
        return answer(id, {
          capabilities: {
            textDocumentSync: 1,
            hoverProvider: true,
            definitionProvider: true,
            completionProvider: { triggerCharacters: ["."] },
            workspaceSymbolProvider: true,
            executeCommandProvider: { commands: ["fake.echo"] },
          },
          serverInfo: { name: "fake-language-server" },
        });
      case "shutdown":
        return answer(id, null);
      case "exit":
        return process.exit(0);
      case "textDocument/didOpen":
        docs.set(params.textDocument.uri, params.textDocument.version);
        return;
      case "textDocument/didChange":
        docs.set(params.textDocument.uri, params.textDocument.version);
        return;
      case "$/cancelRequest": {
        const key = JSON.stringify(params.id);
        if (waitingForCancel.has(key)) {
          write(JSON.stringify({ jsonrpc: "2.0", id: waitingForCancel.get(key), error: { code: -32800, message: "cancelled" } }));
          waitingForCancel.delete(key);
        }
        return;
      }
      case "textDocument/hover": {
        const line = params.position.line;
        if (typeof line !== "number") throw new Error("position.line is not a number");
        if (line === crashLine) return process.exit(1);
        if (line === cancelLine) return void waitingForCancel.set(JSON.stringify(id), id);
        if (!askedConfiguration) {
          askedConfiguration = true;
          write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "workspace/configuration", params: { items: [{ section: "fake" }] } }));
        }
        const uri = params.textDocument.uri;
        // Spacing and key order of our own, id last: re-serializing would change these bytes.
        return void write(`{ "result" : { "contents" : "line ${line} of ${uri} (v ${docs.get(uri)})" } , "jsonrpc" : "2.0" , "id" : ${JSON.stringify(id)} }`);
      }
      case "textDocument/definition":
        return answer(id, { uri: params.textDocument.uri, range: { start: params.position, end: params.position } });
      case "textDocument/completion":
        return answer(id, { isIncomplete: false, items: Array.from({ length: Math.min(1000, Math.max(1, Number(params.position.line) + 1 || 1)) }, (_, i) => ({ label: `item${i}` })) });
      case "workspace/symbol":
        return answer(id, [{ name: "fakeSymbol", kind: 12, location: { uri: "file:///fake.ts", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } } }]);
      case "workspace/executeCommand":
        return answer(id, { echoed: params.arguments ?? [] });
      default:
        if (id !== undefined) answer(id, null);
    }
  }
}

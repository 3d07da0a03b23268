// Reads a server's stdout as it comes, strictly: every byte must belong to a frame whose header is
// `Content-Length: N` (optionally with a Content-Type) and whose body is one JSON-RPC 2.0 message.
// Anything else is a problem. It also collects the answers by id (to wait for them) and counts
// them by outcome, and keeps the window/logMessage notifications.
import type { Readable } from "node:stream";

type Message = { jsonrpc?: unknown; id?: unknown; method?: unknown; result?: any; error?: { code?: unknown; message?: unknown }; params?: any };

export class StdoutChecker {
  frames = 0;
  readonly problems: string[] = [];
  /** "result" or the error code, with how many answers had it. */
  readonly outcomes = new Map<string, number>();
  readonly logMessages: { type: number; message: string }[] = [];
  /** The messages of InternalError answers (the server's code failed, or an error it reports as such). */
  readonly internalErrors: string[] = [];
  private readonly answers = new Map<string, Message>();
  private readonly waiters = new Map<string, (m: Message) => void>();
  private buf = Buffer.alloc(0);

  constructor(stdout: Readable) {
    stdout.on("data", (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const headerEnd = this.buf.indexOf("\r\n\r\n");
      if (headerEnd === -1) {
        if (this.buf.length > 1024) this.fail(`no header terminator in ${JSON.stringify(this.buf.subarray(0, 80).toString("latin1"))}`);
        return;
      }
      const header = this.buf.subarray(0, headerEnd).toString("latin1");
      const match = /^Content-Length: (\d+)(\r\nContent-Type: [^\r\n]+)?$/.exec(header);
      if (!match) return this.fail(`not a frame header: ${JSON.stringify(header.slice(0, 80))}`);
      const end = headerEnd + 4 + Number(match[1]);
      if (this.buf.length < end) return;
      const body = this.buf.subarray(headerEnd + 4, end).toString("utf8");
      this.buf = this.buf.subarray(end);
      this.frames++;
      this.message(body);
    }
  }

  private message(body: string): void {
    let m: Message;
    try {
      m = JSON.parse(body);
    } catch {
      this.problems.push(`a frame whose body is not JSON: ${JSON.stringify(body.slice(0, 80))}`);
      return;
    }
    if (typeof m !== "object" || m === null || Array.isArray(m) || m.jsonrpc !== "2.0") {
      this.problems.push(`a frame that is not a JSON-RPC 2.0 message: ${body.slice(0, 80)}`);
      return;
    }
    if (typeof m.method === "string") {
      if (m.method === "window/logMessage") this.logMessages.push(m.params);
      return;
    }
    const isResponse = ("result" in m) !== ("error" in m) && (m.id === null || typeof m.id === "string" || typeof m.id === "number");
    if (!isResponse) {
      this.problems.push(`neither a request, a notification nor a response: ${body.slice(0, 80)}`);
      return;
    }
    const outcome = "error" in m ? String(m.error?.code) : "result";
    if (m.error?.code === -32603) this.internalErrors.push(String(m.error.message).slice(0, 200));
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (typeof m.id === "string") {
      this.answers.set(m.id, m);
      this.waiters.get(m.id)?.(m);
    }
  }

  private fail(problem: string): void {
    this.problems.push(problem);
    this.buf = Buffer.alloc(0); // nothing after this can be trusted to line up
  }

  /** The answer to `id`, once it arrives; undefined if it did not by `deadline` (epoch ms). */
  waitFor(id: string, deadline: number): Promise<Message | undefined> {
    const known = this.answers.get(id);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(undefined);
      }, Math.max(0, deadline - Date.now()));
      this.waiters.set(id, (m) => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(m);
      });
    });
  }
}

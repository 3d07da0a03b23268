// fast-check arbitraries for the LSP fuzz run (test/integration/fuzz.test.ts): frames as bytes.
// Well-framed messages to every method the front answers — its own, the proxied ones, every
// command, every `opencode/*` request, every notification it listens to — with params taken from a
// valid template and mutated (a value swapped for one of another type, a key dropped, the whole
// params replaced), and broken frames: bad framing, invalid JSON, bad envelopes, stray responses.
import fc from "fast-check";

export interface FuzzTargets {
  rootUri: string;
  /** A document open in the server (and in its proxied server). */
  docUri: string;
  /** executeCommandProvider.commands of the initialize result. */
  commands: string[];
  opencodeRequests: string[];
}

export interface FuzzFrame {
  kind: string;
  bytes: Buffer;
  /** The method (for commands: "workspace/executeCommand <command>"), when the frame carries one. */
  method?: string;
  /** The id of a request the server must answer. */
  id?: string;
  expectsAnswer: boolean;
  /** The frame is well-formed: the reader is in step after it (a broken frame can leave it inside a body). */
  clean: boolean;
  /** For a fault report. */
  describe: string;
}

/** A frame, once given its index in the run (ids are `fz-<n>`, unique). */
export type FrameBuilder = (n: number) => FuzzFrame;

const deep = (depth: number) => JSON.parse("[".repeat(depth) + "]".repeat(depth));
const pollution = () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"toString":"x"}');

/** Values of the wrong type, shape or size. */
const confuser: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 31, -(2 ** 53), 1e308, "", " ", "\u0000", "\ud800", "constructor", "toString", "__proto__", "../../etc/passwd", "file:///etc/passwd", "x".repeat(5_000), [], {}, [[[[[]]]]], { length: -1 }),
  fc.constant(null).map(() => deep(2_000)),
  fc.constant(null).map(pollution),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

/** A copy of `value` with the node at `path` replaced (or removed, for `undefined`). */
function setAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  const [head, ...rest] = path;
  const next = setAt(copy[head!], rest, replacement);
  if (next === undefined && !Array.isArray(copy)) delete copy[head!];
  else copy[head!] = next;
  return copy;
}

type Mutation = { how: "valid" } | { how: "omitted" } | { how: "replace"; at: number; value: unknown } | { how: "drop"; at: number } | { how: "whole"; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ how: "valid" as const }) },
  { weight: 1, arbitrary: fc.constant({ how: "omitted" as const }) },
  { weight: 6, arbitrary: fc.record({ how: fc.constant("replace" as const), at: fc.nat(), value: confuser }) },
  { weight: 2, arbitrary: fc.record({ how: fc.constant("drop" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ how: fc.constant("whole" as const), value: confuser }) },
);

/** The params a mutation makes of a template; undefined: no params key. */
function mutate(template: unknown, m: Mutation): { params: unknown; describe: string } {
  switch (m.how) {
    case "valid":
      return { params: template, describe: "valid params" };
    case "omitted":
      return { params: undefined, describe: "no params" };
    case "whole":
      return { params: m.value, describe: `params = ${short(m.value)}` };
    case "replace": {
      const paths = pathsOf(template);
      const path = paths[m.at % paths.length]!;
      return { params: setAt(template, path, m.value), describe: `${path.join(".") || "params"} = ${short(m.value)}` };
    }
    case "drop": {
      const paths = pathsOf(template).slice(1);
      if (paths.length === 0) return { params: template, describe: "valid params" };
      const path = paths[m.at % paths.length]!;
      return { params: setAt(template, path, undefined), describe: `without ${path.join(".")}` };
    }
  }
}

const short = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 60);

export function frame(body: string | Buffer, contentLength?: number, header = "Content-Length"): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([Buffer.from(`${header}: ${contentLength ?? bytes.length}\r\n\r\n`, "latin1"), bytes]);
}

const body = (message: Record<string, unknown>) => JSON.stringify(message);

export function frameArbitrary(t: FuzzTargets): fc.Arbitrary<FrameBuilder> {
  const pos = { line: 0, character: 6 };
  const range = { start: pos, end: { line: 0, character: 9 } };
  const td = { uri: t.docUri };
  const requests: Record<string, unknown> = {
    initialize: { processId: null, rootUri: t.rootUri, capabilities: {} },
    "textDocument/codeAction": { textDocument: td, range, context: { diagnostics: [] } },
    "codeAction/resolve": { title: "OpenCode: Explain", kind: "quickfix", data: { opencode: "explain", uri: t.docUri, range } },
    "textDocument/inlineCompletion": { textDocument: td, position: pos, context: { triggerKind: 1 } },
    "textDocument/completion": { textDocument: td, position: pos },
    "completionItem/resolve": { label: "item0", data: { from: "fake" } },
    "textDocument/hover": { textDocument: td, position: pos },
    "textDocument/definition": { textDocument: td, position: pos },
    "textDocument/references": { textDocument: td, position: pos, context: { includeDeclaration: true } },
    "textDocument/documentSymbol": { textDocument: td },
    "textDocument/formatting": { textDocument: td, options: { tabSize: 2, insertSpaces: true } },
    "workspace/symbol": { query: "a" },
    "opencode/session/new": { title: "fuzz" },
    "opencode/session/prompt": { sessionId: "s-1", prompt: "hello", context: [{ uri: t.docUri, range }] },
    "opencode/session/list": {},
    "opencode/session/load": { sessionId: "s-1" },
    "opencode/session/end": { sessionId: "s-1" },
    "opencode/models": {},
    "opencode/health": {},
    "textDocument/madeUp": { textDocument: td },
    "made/up": {},
    "$/madeUp": {},
  };
  for (const method of t.opencodeRequests) requests[method] ??= {};
  const commandArgs: Record<string, unknown[]> = {
    "opencode.ask": [{ prompt: "hello", uri: t.docUri, range }],
    "opencode.session.new": [{ title: "fuzz" }],
    "opencode.session.list": [],
    "opencode.session.import": [{ url: "https://example.invalid/#v1.abc.def" }],
    "opencode.model.select": [{ model: "openai/gpt-x" }],
    "opencode.codeAction.run": [{ opencode: "explain", uri: t.docUri, range }],
    "fake.echo": [1, "two"],
  };
  const notifications: Record<string, (n: number) => unknown> = {
    "textDocument/didOpen": (n) => ({ textDocument: { uri: `${t.rootUri}/fuzz-${n}.ts`, languageId: "typescript", version: 1, text: "let x = 1;\n" } }),
    "textDocument/didChange": () => ({ textDocument: { uri: t.docUri, version: 2 }, contentChanges: [{ range, text: "b" }] }),
    "textDocument/didClose": (n) => ({ textDocument: { uri: `${t.rootUri}/fuzz-${n - 1}.ts` } }),
    "textDocument/didSave": () => ({ textDocument: td, text: "const a = 1;\n" }),
    "textDocument/willSave": () => ({ textDocument: td, reason: 1 }),
    "workspace/didChangeConfiguration": () => ({ settings: { opencode: { completion: { enabled: false } } } }),
    "workspace/didChangeWatchedFiles": () => ({ changes: [{ uri: t.docUri, type: 2 }] }),
    "workspace/didChangeWorkspaceFolders": () => ({ event: { added: [], removed: [] } }),
    "$/cancelRequest": (n) => ({ id: `fz-${n - 1}` }),
    "$/setTrace": () => ({ value: "off" }),
    "opencode/session/cancel": () => ({ sessionId: "s-1" }),
    initialized: () => ({}),
  };

  const request = fc.tuple(fc.constantFrom(...Object.keys(requests)), mutation).map(([method, m]): FrameBuilder => (n) => {
    const id = `fz-${n}`;
    const { params, describe } = mutate(requests[method], m);
    return { kind: "request", method, id, expectsAnswer: true, clean: true, describe: `${method}: ${describe}`, bytes: frame(body({ jsonrpc: "2.0", id, method, params })) };
  });
  const command = fc.tuple(fc.constantFrom(...t.commands, "fake.echo", "no.such.command"), mutation).map(([name, m]): FrameBuilder => (n) => {
    const id = `fz-${n}`;
    const { params: args, describe } = mutate(commandArgs[name] ?? [{ sessionId: "s-1" }], m);
    const params = { command: name, ...(args === undefined ? {} : { arguments: args }) };
    return { kind: "command", method: `workspace/executeCommand ${name}`, id, expectsAnswer: true, clean: true, describe: `${name}: ${describe}`, bytes: frame(body({ jsonrpc: "2.0", id, method: "workspace/executeCommand", params })) };
  });
  const confusedCommand = fc.tuple(fc.constantFrom(...t.commands), confuser).map(([name, value]): FrameBuilder => (n) => {
    const id = `fz-${n}`;
    return { kind: "command", method: `workspace/executeCommand ${name}`, id, expectsAnswer: true, clean: true, describe: `command = ${short(value)}`, bytes: frame(body({ jsonrpc: "2.0", id, method: "workspace/executeCommand", params: { command: value, arguments: [] } })) };
  });
  const notification = fc.tuple(fc.constantFrom(...Object.keys(notifications)), mutation).map(([method, m]): FrameBuilder => (n) => {
    const { params, describe } = mutate(notifications[method]!(n), m);
    return { kind: "notification", method, expectsAnswer: false, clean: true, describe: `${method}: ${describe}`, bytes: frame(body({ jsonrpc: "2.0", method, params })) };
  });

  const fixed = (kind: string, bytes: Buffer, describe: string): FrameBuilder => () => ({ kind, bytes, expectsAnswer: false, clean: false, describe });
  const validBody = (n: number) => body({ jsonrpc: "2.0", id: `fz-${n}`, method: "opencode/health" });
  const broken = fc.oneof(
    fc.string({ maxLength: 30 }).map((s) => fixed("invalid JSON", frame(`{"jsonrpc":"2.0","id":"x","method":"opencode/health","params":${s}`), "invalid JSON")),
    fc.nat().map((cut): FrameBuilder => (n) => {
      const b = validBody(n);
      return { kind: "truncated body", bytes: frame(b.slice(0, cut % b.length)), expectsAnswer: false, clean: false, describe: "truncated" };
    }),
    fc.integer({ min: 1, max: 5_000 }).map((extra): FrameBuilder => (n) => ({ kind: "Content-Length too long", bytes: frame(validBody(n), Buffer.byteLength(validBody(n)) + extra), expectsAnswer: false, clean: false, describe: `+${extra}` })),
    fc.integer({ min: 1, max: 40 }).map((less): FrameBuilder => (n) => ({ kind: "Content-Length too short", bytes: frame(validBody(n), Math.max(0, Buffer.byteLength(validBody(n)) - less)), expectsAnswer: false, clean: false, describe: `-${less}` })),
    fc.constantFrom("abc", "-5", "1e3", "0x10", " ", "99999999999999999999", "200000000", "300000000").map((v) => fixed("bad Content-Length", Buffer.from(`Content-Length: ${v}\r\n\r\n{}`), v)),
    fc.constant(fixed("no Content-Length", Buffer.from('Content-Type: application/json\r\n\r\n{"jsonrpc":"2.0"}'), "")),
    fc.constant(fixed("empty body", frame(""), "")),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => fixed("garbage bytes", Buffer.from(bytes), `${bytes.length} bytes`)),
    fc.string({ maxLength: 80 }).map((s) => fixed("garbage header", Buffer.from(`${s}\r\n\r\n`), s)),
    fc.constant(fixed("invalid UTF-8", frame(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0xc3, 0x7d])), "")),
    fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== "object" || v === null || Array.isArray(v)).map((v) => fixed("not an object", frame(JSON.stringify(v) ?? "null"), short(v))),
    fc.constant(null).map((): FrameBuilder => (n) => ({ kind: "batch", bytes: frame(`[${validBody(n)}]`), expectsAnswer: false, clean: false, describe: "batch" })),
    fc.record({ jsonrpc: fc.oneof(fc.constantFrom("2.0", "1.0"), confuser), id: confuser, method: fc.oneof(fc.constantFrom("opencode/health", "textDocument/hover", "exit!"), confuser), params: confuser }, { requiredKeys: [] }).map((m) =>
      fixed("bad envelope", frame(body(m)), short(m)),
    ),
    fc.record({ id: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.string({ maxLength: 5 }), fc.constant(null)), result: confuser }).map((m) => fixed("stray response", frame(body({ jsonrpc: "2.0", ...m })), short(m))),
    fc.record({ id: fc.integer({ min: 0, max: 20 }), error: confuser }).map((m) => fixed("stray error response", frame(body({ jsonrpc: "2.0", ...m })), short(m))),
    fc.constant(null).map((): FrameBuilder => (n) => ({ kind: "two Content-Lengths", bytes: Buffer.from(`Content-Length: 3\r\nContent-Length: 99\r\n\r\n${validBody(n)}`), expectsAnswer: false, clean: false, describe: "" })),
    // Legal, if unusual: header names are case-insensitive (the reader resynchronises on the usual
    // spelling only, so after a broken frame this one may be skipped), a Content-Type may follow.
    fc.constant(null).map((): FrameBuilder => (n) => ({ kind: "lower-case header", method: "opencode/health", id: `fz-${n}`, bytes: frame(validBody(n), undefined, "content-length"), expectsAnswer: true, clean: true, describe: "content-length" })),
    fc.constant(null).map((): FrameBuilder => (n) => ({
      kind: "with Content-Type",
      method: "opencode/health",
      id: `fz-${n}`,
      bytes: Buffer.from(`Content-Length: ${Buffer.byteLength(validBody(n))}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${validBody(n)}`),
      expectsAnswer: true,
      clean: true,
      describe: "Content-Type",
    })),
  );

  return fc.oneof(
    { weight: 8, arbitrary: request },
    { weight: 4, arbitrary: command },
    { weight: 1, arbitrary: confusedCommand },
    { weight: 4, arbitrary: notification },
    { weight: 5, arbitrary: broken },
  );
}

// AI inline completion (when `completion.enabled`): `textDocument/inlineCompletion`, and for
// clients without it, an item in `textDocument/completion` (merged with the proxied servers' items).
// Debounced per document, superseded by the next keystroke's request, cancelled with the request;
// the prompt is fill-in-the-middle from the text around the cursor, at temperature 0 so a repeated
// request is answered from the completion cache.
import * as z from "zod/mini";
import type { CancellationToken, CompletionItem, CompletionList, Connection } from "vscode-languageserver/node";
import type { ModelClient } from "../agent/model-client.ts";
import type { Config } from "../config/index.ts";
import type { Logger } from "../log.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { EditorDocuments } from "./documents.ts";

const PREFIX_CHARS = 4_000;
const SUFFIX_CHARS = 1_500;
const MAX_TOKENS = 128;

const SYSTEM = `You are a code completion engine. You are given the text before the cursor in <prefix> and the text after it in <suffix>.
Reply with ONLY the text to insert at the cursor: no explanation, no code fences, nothing repeated from the prefix or the suffix. Keep it short: finish the current statement or block.`;

const positionParams = z.looseObject({
  textDocument: z.object({ uri: z.string() }),
  position: z.object({ line: z.int().check(z.nonnegative()), character: z.int().check(z.nonnegative()) }),
});

export interface InlineCompletionOptions {
  connection: Connection;
  dispatcher: Dispatcher;
  documents: EditorDocuments;
  config: () => Config;
  client: () => Promise<ModelClient>;
  log: Logger;
  proxied: (method: string, params: unknown, token: CancellationToken) => Promise<unknown> | undefined;
}

export class InlineCompletion {
  private readonly latest = new Map<string, number>();
  private seq = 0;
  private readonly options: InlineCompletionOptions;

  constructor(options: InlineCompletionOptions) {
    this.options = options;
    options.dispatcher.request("textDocument/inlineCompletion", positionParams, async (params, token) => {
      const text = await this.complete(params.textDocument.uri, params.position, token);
      return { items: text ? [{ insertText: text, range: { start: params.position, end: params.position } }] : [] };
    });
    options.dispatcher.request("textDocument/completion", positionParams, async (params, token) => {
      const [theirs, ours] = await Promise.all([
        Promise.resolve(options.proxied("textDocument/completion", params, token)).catch(() => null),
        options.config().completion.enabled ? this.complete(params.textDocument.uri, params.position, token) : undefined,
      ]);
      const list = toList(theirs);
      if (ours) list.items.unshift(aiItem(ours));
      return list;
    }, { proxiedWhen: () => !options.config().completion.enabled });
  }

  /** What this front adds to the initialize result. */
  static capabilities(config: Config): Record<string, unknown> {
    return config.completion.enabled ? { inlineCompletionProvider: {}, completionProvider: { triggerCharacters: [] } } : {};
  }

  /** The model's continuation at `position`, or undefined when superseded, cancelled or empty. */
  async complete(uri: string, position: { line: number; character: number }, token: CancellationToken): Promise<string | undefined> {
    const config = this.options.config();
    if (!config.completion.enabled || !config.model) return undefined;
    const id = ++this.seq;
    this.latest.set(uri, id);
    const current = () => this.latest.get(uri) === id && !token.isCancellationRequested;
    await sleep(config.completion.debounceMs, token);
    if (!current()) return undefined;

    const doc = this.options.documents.store.get(uri);
    if (!doc) return undefined;
    const offset = doc.offsetAt(position);
    const text = doc.getText();
    const prefix = text.slice(Math.max(0, offset - PREFIX_CHARS), offset);
    const suffix = text.slice(offset, offset + SUFFIX_CHARS);

    const controller = new AbortController();
    const onCancel = token.onCancellationRequested(() => controller.abort());
    try {
      const client = await this.options.client();
      let out = "";
      for await (const event of client.stream(config.model, {
        system: SYSTEM,
        messages: [{ role: "user", content: `<prefix>${prefix}</prefix><suffix>${suffix}</suffix>` }],
        maxTokens: MAX_TOKENS,
        temperature: 0,
        signal: controller.signal,
      })) {
        if (!current()) {
          controller.abort();
          return undefined;
        }
        if (event.type === "text") out += event.text;
        if (event.type === "error") {
          this.options.log.debug({ error: event.error }, "inline completion failed");
          return undefined;
        }
      }
      return clean(out, suffix);
    } finally {
      onCancel.dispose();
    }
  }
}

/** Strips fences and a repeated suffix that models add despite being told not to. */
function clean(text: string, suffix: string): string | undefined {
  let out = text.replace(/^```[\w-]*\n?/, "").replace(/\n?```\s*$/, "");
  const head = suffix.trimStart().slice(0, 40);
  if (head && out.endsWith(head)) out = out.slice(0, -head.length);
  return out.trim() ? out : undefined;
}

function aiItem(text: string): CompletionItem {
  const firstLine = text.split("\n", 1)[0] ?? text;
  return { label: firstLine.length > 60 ? `${firstLine.slice(0, 57)}…` : firstLine, insertText: text, kind: 1, detail: "OpenCode", sortText: "\u0000", filterText: firstLine, data: { opencode: "completion" } };
}

function toList(answer: unknown): CompletionList {
  if (Array.isArray(answer)) return { isIncomplete: false, items: answer as CompletionItem[] };
  if (answer && typeof answer === "object" && "items" in answer) return answer as CompletionList;
  return { isIncomplete: false, items: [] };
}

function sleep(ms: number, token: CancellationToken): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    const sub = token.onCancellationRequested(done);
    function done() {
      clearTimeout(timer);
      sub.dispose();
      resolve();
    }
  });
}

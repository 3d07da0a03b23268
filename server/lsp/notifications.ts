// The notifications the front listens to, checked at the edge: one whose params do not fit is
// dropped with a log line before anything sees it — the library's handlers (TextDocuments, the
// connection's own $/cancelRequest and $/setTrace handling, which run as the message is read) and
// ours. A notification has no answer to carry an error; dropping it loses nothing a valid one would
// have done. Requests are checked by the dispatcher (their errors have an answer to go in).
import * as z from "zod/mini";
import { Message, type DataCallback, type MessageReader } from "vscode-languageserver/node";
import type { Logger } from "../log.ts";
import { range, uinteger } from "./params.ts";

const documentId = z.looseObject({ uri: z.string() });
const folder = z.looseObject({ uri: z.string(), name: z.string() });

const SCHEMAS: Record<string, z.core.$ZodType> = {
  "textDocument/didOpen": z.looseObject({ textDocument: z.looseObject({ uri: z.string(), languageId: z.string(), version: z.int(), text: z.string() }) }),
  "textDocument/didChange": z.looseObject({
    textDocument: z.looseObject({ uri: z.string(), version: z.int() }),
    // Incremental, or the whole text (no range, no rangeLength: what TextDocuments tells them apart by).
    contentChanges: z.array(
      z.union([
        z.looseObject({ range, rangeLength: z.optional(uinteger), text: z.string() }),
        z.looseObject({ text: z.string(), range: z.optional(z.undefined()), rangeLength: z.optional(z.undefined()) }),
      ]),
    ),
  }),
  "textDocument/didClose": z.looseObject({ textDocument: documentId }),
  "textDocument/didSave": z.looseObject({ textDocument: documentId, text: z.optional(z.nullable(z.string())) }),
  "textDocument/willSave": z.looseObject({ textDocument: documentId, reason: z.int() }),
  "workspace/didChangeConfiguration": z.optional(z.nullable(z.looseObject({}))),
  "workspace/didChangeWatchedFiles": z.looseObject({ changes: z.array(z.looseObject({ uri: z.string(), type: z.int() })) }),
  "workspace/didChangeWorkspaceFolders": z.looseObject({ event: z.looseObject({ added: z.array(folder), removed: z.array(folder) }) }),
  "$/cancelRequest": z.looseObject({ id: z.union([z.number(), z.string()]) }),
  "$/setTrace": z.looseObject({ value: z.enum(["off", "messages", "compact", "verbose"]) }),
  "opencode/session/cancel": z.looseObject({ sessionId: z.string() }),
  initialized: z.optional(z.nullable(z.looseObject({}))),
};

/** Why the notification's params do not fit its method, or undefined when they do (or the method is not one of ours). */
export function notificationProblem(method: string, params: unknown): string | undefined {
  const schema = Object.hasOwn(SCHEMAS, method) ? SCHEMAS[method]! : undefined;
  if (!schema) return undefined;
  const result = z.safeParse(schema, params);
  if (result.success) return undefined;
  return result.error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "params"}: ${issue.message}`).join("; ");
}

/** `reader`, with the notifications whose params do not fit dropped (logged). */
export function guardNotifications(reader: MessageReader, log: Logger): MessageReader {
  return {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    dispose: () => reader.dispose(),
    listen: (callback: DataCallback) =>
      reader.listen((message) => {
        if (Message.isNotification(message)) {
          const problem = notificationProblem(message.method, message.params);
          if (problem) {
            log.warn({ method: message.method }, `dropped a notification with invalid params: ${problem.slice(0, 300)}`);
            return;
          }
        }
        callback(message);
      }),
  };
}

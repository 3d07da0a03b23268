// The shared transcript: what a share link carries, and its schema. The messages are the providers'
// `Message` type (plus an optional `at` timestamp each), so a session can be seeded from a link
// with exactly the history the model saw. Validated once, at decode (strict: unknown keys refuse the
// link); at encode the same shapes are picked out of what the session layer hands in (extra keys are
// dropped), so what is encoded is what decodes.
import * as z from "zod/mini";
import type { Message } from "../providers/types.ts";

const isoTime = z.iso.datetime({ offset: true });

const toolCall = z.strictObject({
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});

const userMessage = z.strictObject({ role: z.literal("user"), content: z.string(), at: z.optional(isoTime) });
const assistantMessage = z.strictObject({
  role: z.literal("assistant"),
  content: z.string(),
  toolCalls: z.optional(z.array(toolCall)),
  at: z.optional(isoTime),
});
const toolMessage = z.strictObject({
  role: z.literal("tool"),
  toolCallId: z.string(),
  toolName: z.string(),
  content: z.string(),
  isError: z.optional(z.boolean()),
  at: z.optional(isoTime),
});

export const sharedMessageSchema = z.discriminatedUnion("role", [userMessage, assistantMessage, toolMessage]);

export const editSchema = z.strictObject({ path: z.string(), diff: z.string() });

export const transcriptSchema = z.strictObject({
  version: z.literal(1),
  sessionId: z.string(),
  title: z.string(),
  model: z.string(),
  createdAt: isoTime,
  messages: z.array(sharedMessageSchema),
  edits: z.optional(z.array(editSchema)),
});

export type SharedMessage = z.infer<typeof sharedMessageSchema>;
export type SharedEdit = z.infer<typeof editSchema>;
export type Transcript = z.infer<typeof transcriptSchema>;

// Kept in sync with the providers' Message: a shared message without `at` is a Message and back.
// A change to either type breaks this at compile time.
type WithoutAt<T> = T extends unknown ? Omit<T, "at"> : never;
export function toProviderMessage(message: SharedMessage): Message {
  const { at: _at, ...rest } = message;
  const out: WithoutAt<SharedMessage> = rest;
  return out satisfies Message;
}
const _providerToShared = (m: Message): WithoutAt<SharedMessage> => m;
void _providerToShared;

/** Picks the transcript's fields out of what the session layer hands in (extra keys dropped). */
export function normalizeTranscript(input: unknown): Transcript {
  if (typeof input !== "object" || input === null) throw new TypeError("transcript: expected an object");
  const src = input as Record<string, unknown>;
  const messages = Array.isArray(src.messages) ? src.messages.map(pickMessage) : src.messages;
  const edits = Array.isArray(src.edits)
    ? src.edits.map((e: unknown) => (isRecord(e) ? { path: e.path, diff: e.diff } : e))
    : src.edits;
  const candidate: Record<string, unknown> = {
    version: src.version,
    sessionId: src.sessionId,
    title: src.title,
    model: src.model,
    createdAt: src.createdAt,
    messages,
  };
  if (edits !== undefined) candidate.edits = edits;
  const result = z.safeParse(transcriptSchema, candidate);
  if (!result.success) throw new TypeError(`transcript: ${describeFirstIssue(result.error)}`);
  return result.data;
}

function pickMessage(m: unknown): unknown {
  if (!isRecord(m)) return m;
  const out: Record<string, unknown> = {};
  const keys =
    m.role === "user" ? ["role", "content", "at"] : m.role === "assistant" ? ["role", "content", "toolCalls", "at"] : ["role", "toolCallId", "toolName", "content", "isError", "at"];
  for (const key of keys) if (m[key] !== undefined) out[key] = m[key];
  if (Array.isArray(out.toolCalls)) out.toolCalls = out.toolCalls.map((c: unknown) => (isRecord(c) ? { id: c.id, name: c.name, input: c.input } : c));
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** "messages.3.content: expected string" */
export function describeFirstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.map(String).join(".") || "(root)";
  let message = issue.message;
  if (issue.code === "invalid_type") message = `expected ${issue.expected}`;
  else if (issue.code === "unrecognized_keys") message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  else if (issue.code === "invalid_value") message = `expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
  else if (issue.code === "invalid_union") message = "not a user, assistant or tool message";
  return `${path}: ${message}`;
}

// The fill-in-the-middle wire formats for the scripted provider server (scripted-server.ts):
//   OpenAI-compatible completions  POST /v1/completions  SSE `text_completion` chunks ({ prompt, suffix })
//   Ollama generate                POST /api/generate    NDJSON `{ response, done }` lines ({ prompt, suffix })
// Each function gets the content already split into chunks and returns the frames of one stream.
//
// Only erasable TypeScript here: the file also runs directly under node (serve.ts).

export interface FimFrame {
  data: string;
  content: boolean;
}

export interface FimEnd {
  finish: "stop" | "length";
  input: number;
  output: number;
}

const created = 1_700_000_000;

export function openaiCompletionFrames(pieces: string[], end: FimEnd, model: string, includeUsage: boolean): FimFrame[] {
  const chunk = (text: string, finish: string | null, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: "cmpl-scripted", object: "text_completion", created, model, choices: [{ index: 0, text, finish_reason: finish, logprobs: null }], ...extra })}\n\n`;
  const frames: FimFrame[] = pieces.map((p) => ({ data: chunk(p, null), content: true }));
  frames.push({ data: chunk("", end.finish), content: false });
  if (includeUsage) {
    const usage = { prompt_tokens: end.input, completion_tokens: end.output, total_tokens: end.input + end.output };
    frames.push({ data: `data: ${JSON.stringify({ id: "cmpl-scripted", object: "text_completion", created, model, choices: [], usage })}\n\n`, content: false });
  }
  frames.push({ data: "data: [DONE]\n\n", content: false });
  return frames;
}

export function openaiCompletionJson(text: string, end: FimEnd, model: string): unknown {
  return {
    id: "cmpl-scripted",
    object: "text_completion",
    created,
    model,
    choices: [{ index: 0, text, finish_reason: end.finish, logprobs: null }],
    usage: { prompt_tokens: end.input, completion_tokens: end.output, total_tokens: end.input + end.output },
  };
}

function generateLine(model: string, response: string, done: boolean, end?: FimEnd): string {
  const tail = end ? { done_reason: end.finish, context: [], total_duration: 1000, load_duration: 10, prompt_eval_count: end.input, prompt_eval_duration: 100, eval_count: end.output, eval_duration: 500 } : {};
  return `${JSON.stringify({ model, created_at: "2026-01-01T00:00:00Z", response, done, ...tail })}\n`;
}

export function ollamaGenerateFrames(pieces: string[], end: FimEnd, model: string): FimFrame[] {
  const frames: FimFrame[] = pieces.map((p) => ({ data: generateLine(model, p, false), content: true }));
  frames.push({ data: generateLine(model, "", true, end), content: false });
  return frames;
}

export function ollamaGenerateJson(text: string, end: FimEnd, model: string): unknown {
  return JSON.parse(generateLine(model, text, true, end));
}

// webfetch: fetch an http(s) URL and return its content as text (HTML reduced to readable text),
// size-capped. Permission `webfetch` (default ask); refused in offline mode by the registry.
import { z } from "zod";
import { defineTool, fail, ok, type Tool } from "./types.ts";

export const WEBFETCH_MAX_BYTES = 5 * 1024 * 1024;
export const WEBFETCH_DEFAULT_TIMEOUT_S = 30;

const schema = z.object({
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), "only http:// and https:// URLs can be fetched")
    .describe("The http(s) URL to fetch"),
  format: z.enum(["text", "html"]).optional().describe('"text" (default: HTML is converted to readable text) or "html" (raw)'),
  timeout: z.number().int().min(1).max(120).optional().describe(`Timeout in seconds (default ${WEBFETCH_DEFAULT_TIMEOUT_S})`),
});

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

/** HTML to readable text: drops scripts, styles and tags, keeps block structure as line breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|noscript|svg|head|template)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<(br|hr)\b[^>]*>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n- ")
    .replace(/<\/?(p|div|section|article|header|footer|nav|main|aside|h[1-6]|ul|ol|table|tr|pre|blockquote|dl|dt|dd|figure)\b[^>]*>/gi, "\n")
    .replace(/<\/?(td|th)\b[^>]*>/gi, " ")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*|#39);/gi, (m, e: string) => {
      const lower = e.toLowerCase();
      if (lower.startsWith("#x")) return String.fromCodePoint(parseInt(lower.slice(2), 16) || 0xfffd);
      if (lower.startsWith("#") && lower !== "#39") return String.fromCodePoint(Number(lower.slice(1)) || 0xfffd);
      return ENTITIES[lower] ?? m;
    })
    .replace(/[ \t\f\v]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export interface WebfetchToolOptions {
  maxBytes?: number;
  fetch?: typeof fetch;
}

export function webfetchTool(options: WebfetchToolOptions = {}): Tool<typeof schema> {
  const maxBytes = options.maxBytes ?? WEBFETCH_MAX_BYTES;
  const doFetch = options.fetch ?? fetch;
  return defineTool({
    name: "webfetch",
    description: `Fetch a web page or file over http(s) and return it as text (HTML converted to plain text unless format is "html"). At most ${Math.round(maxBytes / 1024 / 1024)} MB are downloaded; long output is truncated.`,
    schema,
    network: true,
    title: (input) => `fetch ${input.url}`,
    permissions: (input) => [{ kind: "webfetch", subject: input.url }],
    async run(input, ctx) {
      const timeout = AbortSignal.timeout((input.timeout ?? WEBFETCH_DEFAULT_TIMEOUT_S) * 1000);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      let response: Response;
      try {
        response = await doFetch(input.url, {
          signal,
          redirect: "follow",
          headers: { "user-agent": "opencode-lsp (webfetch tool)", accept: "text/html, text/plain, application/json, text/*;q=0.9, */*;q=0.1" },
        });
      } catch (error) {
        if (timeout.aborted) return fail(`Fetching ${input.url} timed out after ${input.timeout ?? WEBFETCH_DEFAULT_TIMEOUT_S} s.`);
        if (ctx.signal.aborted) return fail("Cancelled.", { cancelled: true });
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        return fail(`Fetching ${input.url} failed: ${(error as Error).message}${cause ? ` (${cause})` : ""}`);
      }
      const type = response.headers.get("content-type") ?? "";
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        return fail(`Fetching ${input.url} failed: HTTP ${response.status} ${response.statusText}`, { status: response.status });
      }
      if (/^(image|audio|video|font)\/|application\/(octet-stream|pdf|zip|gzip)/i.test(type)) {
        await response.body?.cancel().catch(() => {});
        return fail(`${input.url} is binary content (${type}); webfetch only returns text.`, { status: response.status, contentType: type });
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      let capped = false;
      const reader = response.body?.getReader();
      try {
        while (reader) {
          const { done, value } = await reader.read();
          if (done) break;
          const room = maxBytes - size;
          if (value.length > room) {
            chunks.push(value.subarray(0, room));
            size += room;
            capped = true;
            await reader.cancel().catch(() => {});
            break;
          }
          chunks.push(value);
          size += value.length;
        }
      } catch (error) {
        if (timeout.aborted) return fail(`Fetching ${input.url} timed out while reading the body.`);
        if (ctx.signal.aborted) return fail("Cancelled.", { cancelled: true });
        return fail(`Reading ${input.url} failed: ${(error as Error).message}`);
      }
      const raw = new TextDecoder("utf-8").decode(Buffer.concat(chunks));
      const isHtml = /html/i.test(type) || (!type && /^\s*<(!doctype|html)/i.test(raw));
      const text = isHtml && input.format !== "html" ? htmlToText(raw) : raw;
      const note = capped ? `\n[download stopped at ${maxBytes} bytes]` : "";
      return ok(text + note, { status: response.status, contentType: type, bytes: size, capped });
    },
  });
}

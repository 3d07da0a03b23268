// read: a text file, line-numbered, a page at a time (at most 2,000 lines / 50 KiB), from a 1-based
// line offset. Binary files are refused with a clear message; so are directories.
import { extname } from "node:path";
import { z } from "zod";
import { MAX_LINE_CHARS, PAGE_MAX_BYTES, PAGE_MAX_LINES, truncateLine } from "./output.ts";
import { defineTool, fail, ok, type ToolContext, pathNeed } from "./types.ts";

export const READ_MAX_LINES = PAGE_MAX_LINES;
/** Page budget for the numbered text (line numbers included). */
export const READ_MAX_BYTES = PAGE_MAX_BYTES;

const BINARY_EXTENSIONS = new Set(
  (
    ".png .jpg .jpeg .gif .bmp .ico .webp .tiff .psd .pdf .zip .gz .tgz .bz2 .xz .zst .7z .rar .tar .jar .war .class " +
    ".exe .dll .so .dylib .o .a .lib .obj .bin .dat .wasm .pyc .pyo .node .woff .woff2 .ttf .otf .eot .mp3 .mp4 .mov " +
    ".avi .mkv .wav .flac .ogg .webm .sqlite .db .doc .docx .xls .xlsx .ppt .pptx .dmg .iso"
  ).split(" "),
);

/** Why a file looks binary, or null when it looks like text. */
export function binaryReason(path: string, bytes: Uint8Array): string | null {
  const ext = extname(path).toLowerCase();
  if (BINARY_EXTENSIONS.has(ext)) return `its extension ${ext} is a binary format`;
  const sample = bytes.subarray(0, 8192);
  if (sample.length === 0) return null;
  let control = 0;
  for (const b of sample) {
    if (b === 0) return "it contains NUL bytes";
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  if (control / sample.length > 0.3) return "more than 30% of its first bytes are control characters";
  return null;
}

const schema = z.object({
  path: z.string().min(1).describe("File to read, relative to the workspace root"),
  offset: z.number().int().min(1).optional().describe("1-based line number to start from (default 1)"),
  limit: z.number().int().min(1).max(READ_MAX_LINES).optional().describe(`Number of lines to read (default and max ${READ_MAX_LINES})`),
});

async function suggestions(ctx: ToolContext, rel: string): Promise<string[]> {
  const slash = rel.lastIndexOf("/");
  const dir = slash < 0 ? "." : rel.slice(0, slash);
  const base = (slash < 0 ? rel : rel.slice(slash + 1)).toLowerCase();
  try {
    const entries = await ctx.files.readDir(dir);
    const stem = base.replace(/\.[^.]*$/, "");
    return entries
      .filter((e) => {
        const name = e.name.toLowerCase();
        return name.includes(stem) || stem.includes(name.replace(/\.[^.]*$/, ""));
      })
      .slice(0, 5)
      .map((e) => (dir === "." ? e.name : `${dir}/${e.name}`));
  } catch {
    return [];
  }
}

export const readTool = defineTool({
  name: "read",
  description: `Read a text file from the workspace. Output has line numbers (number, tab, text). Reads at most ${READ_MAX_LINES} lines / ${Math.round(PAGE_MAX_BYTES / 1024)} KiB per call; use offset and limit to page through larger files. Lines longer than ${MAX_LINE_CHARS} characters are cut. Binary files are refused.`,
  schema,
  title: (input) => `read ${input.path}${input.offset ? `:${input.offset}` : ""}`,
  permissions: (input, ctx) => pathNeed(ctx, input.path, "read"),
  async run(input, ctx) {
    const target = await ctx.files.resolve(input.path);
    const stat = await ctx.files.stat(target.rel);
    if (!stat) {
      const similar = await suggestions(ctx, target.rel);
      return fail(`File not found: ${target.rel}${similar.length ? `\nDid you mean: ${similar.join(", ")}?` : ""}`);
    }
    if (stat.type === "directory") return fail(`${target.rel} is a directory, not a file; use the list tool to see its contents.`);
    if (stat.type !== "file") return fail(`${target.rel} is not a regular file.`);
    // Tracked: the model sees this version; a later `write` of the file merges against it.
    const bytes = await ctx.files.readFile(target.rel, { track: true });
    const reason = binaryReason(target.rel, bytes);
    if (reason) return fail(`Cannot read ${target.rel}: it is a binary file (${reason}; ${bytes.length} bytes). The read tool only shows text.`);

    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    if (text.length === 0) return ok(`(${target.rel} is empty)`, { path: target.rel, totalLines: 0 });
    const lines = text.split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    const total = lines.length;
    const offset = input.offset ?? 1;
    if (offset > total) return fail(`offset ${offset} is past the end of ${target.rel}, which has ${total} line${total === 1 ? "" : "s"}.`);
    const limit = input.limit ?? READ_MAX_LINES;

    const width = String(Math.min(total, offset + limit - 1)).length;
    const out: string[] = [];
    let bytesOut = 0;
    let last = offset - 1;
    for (let i = offset - 1; i < total && out.length < limit; i++) {
      const numbered = `${String(i + 1).padStart(width)}\t${truncateLine(lines[i]!.replace(/\r$/, ""))}`;
      const size = Buffer.byteLength(numbered, "utf8") + 1;
      if (bytesOut + size > READ_MAX_BYTES && out.length > 0) break;
      out.push(numbered);
      bytesOut += size;
      last = i + 1;
    }
    const more = last < total;
    const footer = more
      ? `(lines ${offset}-${last} of ${total}${out.length < limit ? `; page cut at ${Math.round(READ_MAX_BYTES / 1024)} KiB` : ""}; call read with offset=${last + 1} to continue)`
      : `(end of file: ${total} line${total === 1 ? "" : "s"})`;
    return ok(`${out.join("\n")}\n\n${footer}`, { path: target.rel, from: offset, to: last, totalLines: total, more });
  },
});

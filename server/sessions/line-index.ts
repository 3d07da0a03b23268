// Line/character ↔ offset for a text that changes a keystroke at a time, without holding or
// copying the text: line lengths kept in chunks, so an edit touches one chunk and a lookup walks
// chunk totals. Positions are LSP's: UTF-16 code units, lines ended by \n, \r\n or \r.

export interface Position {
  line: number;
  character: number;
}

const CHUNK = 512;

interface Chunk {
  /** Length of each line, its line break included. */
  lengths: number[];
  /** Length of each line's break (0, 1 or 2). */
  breaks: number[];
  total: number;
}

/** Lengths and break lengths of the lines of `text` (the last line has no break). */
function splitLines(text: string): { lengths: number[]; breaks: number[] } {
  const lengths: number[] = [];
  const breaks: number[] = [];
  let start = 0;
  if (text.indexOf("\r") === -1) {
    // LF only, the usual case: indexOf scans fast (a regex match per line costs several times more).
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", start)) {
      lengths.push(i + 1 - start);
      breaks.push(1);
      start = i + 1;
    }
  } else {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const width = c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      i += width - 1;
      lengths.push(i + 1 - start);
      breaks.push(width);
      start = i + 1;
    }
  }
  lengths.push(text.length - start);
  breaks.push(0);
  return { lengths, breaks };
}

export class LineIndex {
  private chunks: Chunk[] = [];

  constructor(text: string) {
    const { lengths, breaks } = splitLines(text);
    this.setLines(lengths, breaks);
  }

  private setLines(lengths: number[], breaks: number[]): void {
    this.chunks = [];
    for (let i = 0; i < lengths.length; i += CHUNK) {
      const l = lengths.slice(i, i + CHUNK);
      this.chunks.push({ lengths: l, breaks: breaks.slice(i, i + CHUNK), total: l.reduce((a, b) => a + b, 0) });
    }
  }

  /** A copy that changes apart from this one. */
  clone(): LineIndex {
    const copy = Object.create(LineIndex.prototype) as LineIndex;
    copy.chunks = this.chunks.map((c) => ({ lengths: [...c.lengths], breaks: [...c.breaks], total: c.total }));
    return copy;
  }

  get lineCount(): number {
    let n = 0;
    for (const c of this.chunks) n += c.lengths.length;
    return n;
  }

  /** The offset of a position; characters past the end of a line clamp to its end (before the break). */
  offsetAt(position: Position): number {
    let line = Math.max(0, position.line);
    let offset = 0;
    for (const chunk of this.chunks) {
      if (line < chunk.lengths.length) {
        for (let i = 0; i < line; i++) offset += chunk.lengths[i]!;
        const content = chunk.lengths[line]! - chunk.breaks[line]!;
        return offset + Math.min(Math.max(0, position.character), content);
      }
      line -= chunk.lengths.length;
      offset += chunk.total;
    }
    return offset; // past the last line: the end of the text
  }

  positionAt(offset: number): Position {
    let line = 0;
    let rest = Math.max(0, offset);
    for (const chunk of this.chunks) {
      if (rest < chunk.total) {
        for (let i = 0; i < chunk.lengths.length; i++) {
          const length = chunk.lengths[i]!;
          if (rest < length) return { line, character: Math.min(rest, length - chunk.breaks[i]!) };
          rest -= length;
          line++;
        }
      }
      rest -= chunk.total;
      line += chunk.lengths.length;
    }
    // At or past the end: the end of the last line.
    const last = this.chunks.at(-1)!;
    return { line: line - 1, character: last.lengths.at(-1)! - last.breaks.at(-1)! };
  }

  /**
   * Replaces [start, end) by `text` (offsets in the text before the change). One case is not
   * seen: an edit that joins a lone CR before it to an LF after it into one CRLF break (editors
   * do not produce it; the replica rebuilds its index from the text whenever it re-syncs).
   */
  replace(start: number, end: number, text: string): void {
    const from = this.locate(start);
    const to = this.locate(end);
    const first = this.chunks[from.chunk]!;
    const last = this.chunks[to.chunk]!;
    const before = from.column;
    const after = last.lengths[to.index]! - to.column;
    const lastBreak = last.breaks[to.index]!;
    const inserted = splitLines(text);
    // The new lines: the start line's head + the inserted text + the end line's tail.
    inserted.lengths[0]! += before;
    inserted.lengths[inserted.lengths.length - 1]! += after;
    inserted.breaks[inserted.breaks.length - 1] = lastBreak;
    if (from.chunk === to.chunk) {
      first.lengths.splice(from.index, to.index - from.index + 1, ...inserted.lengths);
      first.breaks.splice(from.index, to.index - from.index + 1, ...inserted.breaks);
      first.total += text.length - (end - start);
      if (first.lengths.length > 2 * CHUNK) this.rechunk();
      return;
    }
    // Across chunks (a large edit): rebuild the line list.
    const lengths: number[] = [];
    const breaks: number[] = [];
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      if (c < from.chunk || c > to.chunk) {
        lengths.push(...chunk.lengths);
        breaks.push(...chunk.breaks);
      } else if (c === from.chunk) {
        lengths.push(...chunk.lengths.slice(0, from.index), ...inserted.lengths);
        breaks.push(...chunk.breaks.slice(0, from.index), ...inserted.breaks);
      }
      if (c === to.chunk) {
        lengths.push(...chunk.lengths.slice(to.index + 1));
        breaks.push(...chunk.breaks.slice(to.index + 1));
      }
    }
    this.setLines(lengths, breaks);
  }

  /** Chunk, line index within it, and column of an offset (columns may fall inside a line break). */
  private locate(offset: number): { chunk: number; index: number; column: number } {
    let rest = Math.max(0, offset);
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const isLast = c === this.chunks.length - 1;
      if (rest < chunk.total || isLast) {
        for (let i = 0; i < chunk.lengths.length; i++) {
          const length = chunk.lengths[i]!;
          if (rest < length || i === chunk.lengths.length - 1) return { chunk: c, index: i, column: Math.min(rest, length) };
          rest -= length;
        }
      }
      rest -= chunk.total;
    }
    throw new Error("unreachable: the index has no chunks");
  }

  private rechunk(): void {
    const lengths = this.chunks.flatMap((c) => c.lengths);
    const breaks = this.chunks.flatMap((c) => c.breaks);
    this.setLines(lengths, breaks);
  }
}

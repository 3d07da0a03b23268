// The envelope of a JSON-RPC response read from its bytes without parsing the body: that it is a
// response, and where its id is. Only top-level keys are looked at, and the scan stops as soon as
// it knows, so a `result` (often most of the bytes) is never walked when the id comes before it, as
// every JSON-RPC library we know writes it; a `method` key ends the scan at once (not a response).

export interface ResponseEnvelope {
  id: number | string | null;
  /** It carries an `error` (not a `result`). */
  error: boolean;
  /** Where the id's JSON value is in the buffer: [idStart, idEnd). */
  idStart: number;
  idEnd: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The envelope of the response in `buf[start, end)`; undefined when it is a request or a
 * notification, or not readable as a JSON object (the caller then parses it as usual).
 */
export function scanResponse(buf: Buffer, start: number, end: number): ResponseEnvelope | undefined {
  let i = skipSpace(buf, start, end);
  if (buf[i] !== OPEN_OBJECT) return undefined;
  i++;
  let idStart = -1;
  let idEnd = -1;
  let answer = false;
  let error = false;
  for (;;) {
    i = skipSpace(buf, i, end);
    if (buf[i] === CLOSE_OBJECT) break;
    if (buf[i] !== QUOTE) return undefined;
    const keyStart = i + 1;
    const keyEnd = stringEnd(buf, i, end);
    if (keyEnd === -1) return undefined;
    i = skipSpace(buf, keyEnd, end);
    if (buf[i] !== COLON) return undefined;
    i = skipSpace(buf, i + 1, end);
    const key = keyEnd - 1 - keyStart <= 6 ? buf.toString("latin1", keyStart, keyEnd - 1) : "";
    if (key === "method") return undefined;
    if (key === "result" || key === "error") {
      answer = true;
      error = key === "error";
      if (idStart !== -1) break; // the answer's value need not be walked
    }
    const valueEnd = skipValue(buf, i, end);
    if (valueEnd === -1) return undefined;
    if (key === "id") {
      idStart = i;
      idEnd = valueEnd;
      if (answer) break;
    }
    i = skipSpace(buf, valueEnd, end);
    if (buf[i] === COMMA) i++;
    else if (buf[i] !== CLOSE_OBJECT) return undefined;
  }
  if (!answer || idStart === -1) return undefined;
  const id = parseId(buf.toString("utf8", idStart, idEnd));
  return id === false ? undefined : { id, error, idStart, idEnd };
}

function parseId(text: string): number | string | null | false {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "number" || typeof value === "string" || value === null ? value : false;
  } catch {
    return false;
  }
}

function skipSpace(buf: Buffer, i: number, end: number): number {
  while (i < end && isSpace(buf[i])) i++;
  return i;
}

/** `buf[i]` is a quote: the index just past the closing quote, or -1. */
function stringEnd(buf: Buffer, i: number, end: number): number {
  let at = i + 1;
  for (;;) {
    const quote = buf.indexOf(QUOTE, at);
    if (quote === -1 || quote >= end) return -1;
    let backslashes = 0;
    while (buf[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/** The index just past the JSON value starting at `i`, or -1 (values are not validated, only delimited). */
function skipValue(buf: Buffer, i: number, end: number): number {
  const c = buf[i];
  if (c === QUOTE) return stringEnd(buf, i, end);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    while (i < end) {
      const b = buf[i]!;
      if (b === QUOTE) {
        i = stringEnd(buf, i, end);
        if (i === -1) return -1;
        continue;
      }
      if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if ((b === CLOSE_OBJECT || b === CLOSE_ARRAY) && --depth === 0) return i + 1;
      i++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  const from = i;
  while (i < end && buf[i] !== COMMA && buf[i] !== CLOSE_OBJECT && !isSpace(buf[i])) i++;
  return i > from ? i : -1;
}

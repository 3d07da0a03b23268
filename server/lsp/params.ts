// zod schemas of LSP param pieces that several of the front's handlers check.
import * as z from "zod/mini";

export const uinteger = z.int().check(z.nonnegative());
export const position = z.object({ line: uinteger, character: uinteger });
export const range = z.object({ start: position, end: position });

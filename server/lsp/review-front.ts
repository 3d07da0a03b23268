// Review before write in the editor: each pending hunk as a hint diagnostic with code actions to
// accept or reject it (or all of a file's), the `opencode.review.*` commands, and the `review`
// session update for rich clients (sent by the session stream). Accepting applies the hunks as one
// workspace/applyEdit, so the editor undoes them as one step.
import { fileURLToPath } from "node:url";
import * as z from "zod/mini";
import { DiagnosticSeverity, ErrorCodes, ResponseError, type CodeAction, type CodeActionParams, type Diagnostic } from "vscode-languageserver/node";
import type { Bus } from "../bus/bus.ts";
import type { ReviewHunk } from "../bus/events.ts";
import type { ReviewDesk, ReviewFilter } from "../sessions/review.ts";

export const REVIEW_COMMANDS = ["opencode.review.list", "opencode.review.accept", "opencode.review.reject"] as const;
export const REVIEW_SOURCE = "opencode-review";

const reviewArgs = z.optional(z.object({ sessionId: z.optional(z.string()), uri: z.optional(z.string()), hunkId: z.optional(z.string()) }));
export type ReviewArgs = z.output<typeof reviewArgs>;

export interface ReviewFrontOptions {
  bus: Bus;
  /** Replaces our review hints on one document (merged with the proxied servers' diagnostics). */
  diagnostics: (source: string, uri: string, diagnostics: Diagnostic[]) => void;
}

export class ReviewFront {
  private readonly options: ReviewFrontOptions;
  private desk: ReviewDesk | undefined;
  /** Documents we put hints on, so a cleared one is cleared in the editor too. */
  private readonly hinted = new Set<string>();

  constructor(options: ReviewFrontOptions) {
    this.options = options;
  }

  static readonly args = reviewArgs;

  /** The agent runtime loaded: follow its review desk. */
  attach(desk: ReviewDesk): void {
    this.desk = desk;
    desk.onChange((_session, files) => {
      for (const { uri } of files) this.publishHints(uri);
    });
  }

  /** Our actions for a range of a document: those of the hunks it touches, then the file's. */
  codeActions(params: CodeActionParams): CodeAction[] {
    const uri = params.textDocument.uri;
    if (!uri.startsWith("file:")) return []; // nothing is reviewed outside files (untitled buffers, ...)
    const hunks = this.hunks({ uri });
    if (hunks.length === 0) return [];
    const touched = hunks.filter((h) => touches(h, params.range.start.line, params.range.end.line));
    const actions: CodeAction[] = [];
    for (const h of touched) {
      const where = touched.length > 1 ? ` (line ${h.range.start.line + 1})` : "";
      actions.push(action(`OpenCode: Accept change${where}`, "opencode.review.accept", { sessionId: h.sessionId, uri, hunkId: h.id }));
      actions.push(action(`OpenCode: Reject change${where}`, "opencode.review.reject", { sessionId: h.sessionId, uri, hunkId: h.id }));
    }
    actions.push(action("OpenCode: Accept all in file", "opencode.review.accept", { uri }));
    actions.push(action("OpenCode: Reject all in file", "opencode.review.reject", { uri }));
    return actions;
  }

  /** A session's pending set as its `review` update (for a client loading the session), or undefined when none is pending. */
  pendingUpdate(sessionId: string): { kind: "review"; files: { uri: string; hunks: ReviewHunk[] }[] } | undefined {
    const files = this.desk?.pendingFiles(sessionId) ?? [];
    return files.length > 0 ? { kind: "review", files } : undefined;
  }

  /** One of REVIEW_COMMANDS, with its validated argument. */
  async execute(command: (typeof REVIEW_COMMANDS)[number], args: ReviewArgs): Promise<unknown> {
    const filter = this.filter(args);
    if (command === "opencode.review.list") return { hunks: this.requireDesk().list(filter) };
    const accept = command === "opencode.review.accept";
    let decision;
    try {
      decision = await this.requireDesk().decide(filter, accept);
    } catch (error) {
      throw new ResponseError(filter.hunkId ? ErrorCodes.InvalidParams : ErrorCodes.InternalError, `OpenCode: ${(error as Error).message}`);
    }
    for (const sessionId of decision.sessions) {
      const edits = decision.hunks.filter((h) => h.sessionId === sessionId).length;
      this.options.bus.publish({ type: "session.edits_reviewed", sessionId, outcome: accept ? "accepted" : "rejected", edits });
    }
    return accept ? { accepted: decision.hunks.length } : { rejected: decision.hunks.length };
  }

  private hunks(args: ReviewArgs): ReviewHunk[] {
    return this.desk?.list(this.filter(args)) ?? [];
  }

  private filter(args: ReviewArgs): ReviewFilter {
    if (args?.uri && !args.uri.startsWith("file:")) throw new ResponseError(ErrorCodes.InvalidParams, `OpenCode: ${args.uri} is not a file: URI`);
    return {
      ...(args?.sessionId ? { sessionId: args.sessionId } : {}),
      ...(args?.uri ? { abs: fileURLToPath(args.uri) } : {}),
      ...(args?.hunkId ? { hunkId: args.hunkId } : {}),
    };
  }

  private requireDesk(): ReviewDesk {
    if (!this.desk) throw new ResponseError(ErrorCodes.InvalidRequest, "OpenCode: no session has changes under review");
    return this.desk;
  }

  private publishHints(uri: string): void {
    const hunks = this.hunks({ uri });
    if (hunks.length === 0 && !this.hinted.has(uri)) return;
    if (hunks.length === 0) this.hinted.delete(uri);
    else this.hinted.add(uri);
    this.options.diagnostics(REVIEW_SOURCE, uri, hunks.map(hint));
  }
}

function hint(h: ReviewHunk): Diagnostic {
  const first = (h.newText || h.oldText).split("\n")[0]?.trim().slice(0, 60) ?? "";
  return {
    range: h.range,
    severity: DiagnosticSeverity.Hint,
    source: "opencode",
    code: "review",
    message: `OpenCode: pending change (+${h.added} −${h.removed})${first ? `: ${first}` : ""} — accept or reject it with a code action`,
    data: { sessionId: h.sessionId, hunkId: h.id },
  };
}

/** A range of lines [from, to] touches a hunk: overlaps its lines, or sits on or above an insertion's place. */
function touches(h: ReviewHunk, from: number, to: number): boolean {
  const start = h.range.start.line;
  if (h.removed === 0) return from <= start && to >= start - 1;
  return from < h.range.end.line && to >= start;
}

function action(title: string, command: string, args: ReviewArgs): CodeAction {
  return { title, kind: "quickfix", command: { title, command, arguments: [args] } };
}

// The edge check of notification params: what editors send passes (dropping a valid didChange would
// leave our copy of the buffer behind the editor's), what the library's handlers would throw on does not.
import { describe, expect, it } from "vitest";
import { notificationProblem } from "../../../server/lsp/notifications.ts";

const td = { uri: "file:///w/a.ts", version: 2 };
const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

describe("notification params at the edge", () => {
  it("lets through what editors send", () => {
    const valid: [string, unknown][] = [
      ["textDocument/didOpen", { textDocument: { uri: td.uri, languageId: "typescript", version: 1, text: "x" } }],
      ["textDocument/didChange", { textDocument: td, contentChanges: [{ text: "whole text" }] }],
      ["textDocument/didChange", { textDocument: td, contentChanges: [{ range, rangeLength: 1, text: "y" }, { range, text: "" }] }],
      ["textDocument/didChange", { textDocument: td, contentChanges: [] }],
      ["textDocument/didClose", { textDocument: { uri: td.uri } }],
      ["textDocument/didSave", { textDocument: { uri: td.uri } }],
      ["textDocument/didSave", { textDocument: { uri: td.uri }, text: null }],
      ["workspace/didChangeConfiguration", { settings: null }],
      ["workspace/didChangeConfiguration", null],
      ["$/cancelRequest", { id: 7 }],
      ["$/cancelRequest", { id: "a" }],
      ["$/setTrace", { value: "verbose" }],
      ["initialized", {}],
      ["initialized", null],
      ["opencode/session/cancel", { sessionId: "s" }],
      ["some/notification/of/a/proxied/server", 5], // not ours to check
    ];
    for (const [method, params] of valid) expect([method, notificationProblem(method, params)]).toEqual([method, undefined]);
  });

  it("stops what would throw in a handler, saying where", () => {
    expect(notificationProblem("textDocument/didOpen", { textDocument: { uri: td.uri } })).toMatch(/^textDocument\.languageId/);
    expect(notificationProblem("textDocument/didChange", { textDocument: td, contentChanges: [{ rangeLength: 1, text: "x" }] })).toMatch(/^contentChanges\.0/);
    expect(notificationProblem("textDocument/didChange", { textDocument: td, contentChanges: [{ range: { start: { line: -1, character: 0 }, end: range.end }, text: "x" }] })).toMatch(/^contentChanges\.0/);
    expect(notificationProblem("textDocument/didClose", {})).toMatch(/^textDocument/);
    expect(notificationProblem("$/cancelRequest", {})).toMatch(/^id/);
    expect(notificationProblem("$/setTrace", undefined)).toMatch(/^params/);
    expect(notificationProblem("textDocument/didSave", { textDocument: { uri: 5 } })).toMatch(/^textDocument\.uri/);
  });
});

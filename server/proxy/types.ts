// Types the proxy's parts share with each other and with their users.
import type { Diagnostic } from "vscode-languageserver-protocol";

/** How the manager reaches the editor (implemented by the LSP front). */
export interface EditorChannel {
  request(method: string, params: unknown): Promise<unknown>;
  notify(method: string, params: unknown): void;
  /**
   * Writes a frame whose body, already encoded, is these parts (a proxied server's answer passed
   * on as bytes, its id the editor's); `id` is for the log. Absent: nothing is passed through.
   */
  frame?(parts: Uint8Array[], id: number | string): void;
}

/** What the agent side (LanguageIntel) follows: documents changing and servers reporting. */
export type ProxyEvent =
  | { type: "changed"; uri: string; version: number; opened: boolean }
  | { type: "published"; server: string; uri: string; diagnostics: Diagnostic[]; version: number | undefined }
  | { type: "down"; server: string };

// The permission system's "ask", in the editor: the custom `opencode/session/requestPermission`
// when the client announced it (the Neovim plugin), else window/showMessageRequest; an editor with
// neither (Helix) refuses, and the user is told how to allow it in opencode.json instead.
import { ErrorCodes, MessageType, ShowMessageRequest, type Connection } from "vscode-languageserver/node";
import type { AskPermission, PermissionOutcome } from "../tools/index.ts";

export interface PermissionPromptOptions {
  connection: Connection;
  /** The client announced opencode/session/requestPermission. */
  customRequests: () => boolean;
  show: (type: MessageType, message: string) => void;
}

/** `ask` for one session. */
export function askInEditor(options: PermissionPromptOptions, sessionId: string): AskPermission {
  const { connection } = options;
  return async (request, signal) => {
    if (signal.aborted) return "reject";
    if (options.customRequests()) {
      const answer = await connection
        .sendRequest("opencode/session/requestPermission", { sessionId, tool: request.tool, input: request.input, title: request.title })
        .catch(() => undefined);
      const outcome = (answer as { outcome?: string } | undefined)?.outcome;
      return outcome === "allow_once" || outcome === "allow_always" ? outcome : "reject";
    }
    const choices: [string, PermissionOutcome][] = [["Allow once", "allow_once"], ["Always allow", "allow_always"], ["Reject", "reject"]];
    let unsupported = false;
    const picked = await connection
      .sendRequest(ShowMessageRequest.type, { type: MessageType.Warning, message: `OpenCode wants to ${request.title}`, actions: choices.map(([title]) => ({ title })) })
      .catch((error: { code?: number }) => {
        unsupported = error?.code === ErrorCodes.MethodNotFound;
        return null;
      });
    if (unsupported) {
      options.show(MessageType.Warning, `OpenCode was refused "${request.title}": this editor cannot show a permission prompt. Allow it in opencode.json, e.g. "permissions": { "${request.kind === "doom_loop" ? "edit" : request.kind}": "allow" }.`);
    }
    return choices.find(([title]) => title === picked?.title)?.[1] ?? "reject";
  };
}

// share/: encode, sign, verify and redact share links; the static viewer and its server; the
// terminal rendering. What the CLI, the LSP front and the session layer call.
export { canonicalJson } from "./canonical.ts";
export { loadOrCreateShareKey, shareKeyPath, keyIdOf, type ShareKey } from "./keys.ts";
export {
  createShareLink,
  verifyShareLink,
  openShareLink,
  encodePayload,
  ShareLinkError,
  DEFAULT_BASE_URL,
  DEFAULT_SHARE_PORT,
  DEFAULT_MAX_FRAGMENT_BYTES,
  type CreateShareLinkOptions,
  type DropToolOutputs,
  type OpenedShareLink,
  type ShareLinkErrorCode,
  type ShareLinkResult,
} from "./link.ts";
export { redactTranscript, describeRedactions, isEnvFile, Redactor, type RedactionCounts, type RedactOptions } from "./redact.ts";
export { renderTranscriptText, sanitizeForTerminal, type RenderTextOptions } from "./render-text.ts";
export { shareViewCommand, type ShareViewIo } from "./view-command.ts";
export { serveViewer, type ServeViewerOptions, type ViewerServer } from "./serve.ts";
export { transcriptSchema, toProviderMessage, type SharedEdit, type SharedMessage, type Transcript } from "./transcript.ts";
export { viewerHtml, VIEWER_CSP } from "./viewer-html.ts";

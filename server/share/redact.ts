// Redaction before a transcript is encoded into a share link. Secrets are replaced by a marker
// `[REDACTED:<kind>]` and counted per kind, so the user can be told what was removed:
// - API keys of the known providers, by their prefixes (OpenAI, Anthropic, Google, GitHub, xAI,
//   Hugging Face, Groq, OpenRouter, Perplexity, Fireworks, NVIDIA, Cerebras, Replicate, GitLab, npm,
//   Slack, Stripe, AWS access key ids);
// - bearer tokens and basic-auth credentials, JWTs, PEM/OpenSSH/PGP private keys;
// - the values of a `.env`-like file the session read or wrote (every `NAME=value` line of a tool
//   result of reading it, of a tool call writing it, and of an edit's diff of it);
// - assignments to secret-looking names elsewhere (`API_KEY=...` lines, `"token": "..."` literals);
// - the exact values of this process's secret-looking environment variables (`*_API_KEY`,
//   `*_TOKEN`, ...) and of any secrets the caller passes (configured provider keys), wherever they sit.
// Redaction is idempotent: a marker never matches a rule.
import type { SharedMessage, Transcript } from "./transcript.ts";

export type RedactionCounts = Record<string, number>;

export interface RedactOptions {
  /** Environment whose secret-looking variables' values are redacted verbatim; false for none. Default process.env. */
  env?: NodeJS.ProcessEnv | false;
  /** More literal secrets to redact (e.g. API keys from the configuration). */
  secrets?: string[];
}

export const marker = (kind: string): string => `[REDACTED:${kind}]`;

const B = "(?<![A-Za-z0-9_-])"; // a token boundary on the left
const E = "(?![A-Za-z0-9_-])"; // and on the right

interface Rule {
  kind: string;
  re: RegExp;
  /** Builds the replacement from the match groups; default: the marker alone. */
  keep?: (groups: string[]) => { before: string; after?: string };
}

const RULES: Rule[] = [
  {
    kind: "private-key",
    re: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$(?![\s\S]))/g,
  },
  { kind: "jwt", re: new RegExp(`${B}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}${E}`, "g") },
  { kind: "bearer-token", re: /\b(Bearer\s+)(?!\[REDACTED:)[A-Za-z0-9._~+/-]{8,}=*/gi, keep: (g) => ({ before: g[0] ?? "" }) },
  { kind: "basic-auth", re: /\b(Authorization:\s*Basic\s+)[A-Za-z0-9+/]{8,}={0,2}/gi, keep: (g) => ({ before: g[0] ?? "" }) },
  { kind: "anthropic-key", re: new RegExp(`${B}sk-ant-[A-Za-z0-9_-]{20,}`, "g") },
  { kind: "openrouter-key", re: new RegExp(`${B}sk-or-(?:v1-)?[A-Za-z0-9]{20,}`, "g") },
  { kind: "openai-key", re: new RegExp(`${B}sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, "g") },
  { kind: "google-key", re: new RegExp(`${B}AIza[0-9A-Za-z_-]{35}${E}`, "g") },
  { kind: "github-token", re: new RegExp(`${B}(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})`, "g") },
  { kind: "xai-key", re: new RegExp(`${B}xai-[A-Za-z0-9]{20,}`, "g") },
  { kind: "huggingface-token", re: new RegExp(`${B}hf_[A-Za-z0-9]{30,}`, "g") },
  { kind: "groq-key", re: new RegExp(`${B}gsk_[A-Za-z0-9]{20,}`, "g") },
  { kind: "perplexity-key", re: new RegExp(`${B}pplx-[A-Za-z0-9]{20,}`, "g") },
  { kind: "fireworks-key", re: new RegExp(`${B}fw_[A-Za-z0-9]{20,}`, "g") },
  { kind: "nvidia-key", re: new RegExp(`${B}nvapi-[A-Za-z0-9_-]{20,}`, "g") },
  { kind: "cerebras-key", re: new RegExp(`${B}csk-[A-Za-z0-9]{20,}`, "g") },
  { kind: "replicate-token", re: new RegExp(`${B}r8_[A-Za-z0-9]{20,}`, "g") },
  { kind: "gitlab-token", re: new RegExp(`${B}glpat-[A-Za-z0-9_-]{20,}`, "g") },
  { kind: "npm-token", re: new RegExp(`${B}npm_[A-Za-z0-9]{36}${E}`, "g") },
  { kind: "slack-token", re: new RegExp(`${B}xox[abposr]-[A-Za-z0-9-]{10,}`, "g") },
  { kind: "stripe-key", re: new RegExp(`${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,}`, "g") },
  { kind: "aws-access-key", re: new RegExp(`${B}(?:AKIA|ASIA)[0-9A-Z]{16}${E}`, "g") },
];

/** `NAME=value` lines whose name says secret, anywhere (also inside diffs and read-tool output). */
const SECRET_ENV_LINE =
  /^([+\- ]?[ \t]*(?:\d+\t)?[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)[A-Za-z0-9_]*[ \t]*=[ \t]*)(?!\[REDACTED:)([^\s#][^\s#]{5,})/gim;
/** `apiKey: "..."`, `"token": "..."`, `password = '...'`: a quoted literal assigned to a secret-looking name. */
const SECRET_QUOTED =
  /((?:api[_-]?key|secret|token|passw(?:or)?d|credentials?)[A-Za-z0-9_-]*["']?[ \t]*[:=][ \t]*)(["'])(?!\[REDACTED:)([^\s"'\\]{8,})\2/gi;
/** Any `NAME=value` line of a .env-like file (optionally with a diff sign or a read-tool line number). */
const ENV_LINE = /^([+\- ]?[ \t]*(?:\d+\t)?[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.]*[ \t]*=[ \t]*)(?!\[REDACTED:)(\S.*?)[ \t\r]*$/gm;
/** grep-style output: `path:line:text` or `path-line-text`. */
const GREP_LINE = /^(\S+?)([:-]\d+[:-])(.*)$/gm;

const ENV_FILE = /(?:^|[\\/])(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env|\.envrc|\.dev\.vars)$/;
const ENV_FILE_IN_COMMAND = /(?:^|[\s/'"=<])(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env|\.envrc|\.dev\.vars)(?=$|[\s'";|&)>])/;

/** Is this path a .env-like file (`.env`, `.env.local`, `prod.env`, `.envrc`, `.dev.vars`)? */
export function isEnvFile(path: string): boolean {
  return ENV_FILE.test(path);
}

const SECRET_ENV_NAME = /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;

function literalSecrets(options: RedactOptions): string[] {
  const found = new Set<string>();
  if (options.env !== false) {
    for (const [name, value] of Object.entries(options.env ?? process.env)) {
      if (value && value.length >= 8 && SECRET_ENV_NAME.test(name) && !/^\s|\s$/.test(value)) found.add(value);
    }
  }
  for (const s of options.secrets ?? []) if (s.length >= 8) found.add(s);
  // Longest first, so a secret containing another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length);
}

export class Redactor {
  readonly counts: RedactionCounts = {};
  private readonly literals: string[];

  constructor(options: RedactOptions = {}) {
    this.literals = literalSecrets(options);
  }

  private count(kind: string): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
  }

  /** Redacts secrets in free text. `envFile`: the text is (or shows) a .env-like file: redact every value. */
  text(input: string, envFile = false): string {
    let text = input;
    for (const rule of RULES) {
      rule.re.lastIndex = 0;
      text = text.replace(rule.re, (...args: unknown[]) => {
        this.count(rule.kind);
        const groups = args.slice(1, -2).map((g) => (typeof g === "string" ? g : ""));
        const kept = rule.keep?.(groups);
        return `${kept?.before ?? ""}${marker(rule.kind)}${kept?.after ?? ""}`;
      });
    }
    if (envFile) text = this.envValues(text);
    text = text.replace(GREP_LINE, (line, path: string, sep: string, rest: string) =>
      isEnvFile(path) ? `${path}${sep}${this.envValues(rest)}` : line,
    );
    text = text.replace(SECRET_ENV_LINE, (_m, before: string) => {
      this.count("secret-assignment");
      return `${before}${marker("secret-assignment")}`;
    });
    text = text.replace(SECRET_QUOTED, (_m, before: string, quote: string) => {
      this.count("secret-assignment");
      return `${before}${quote}${marker("secret-assignment")}${quote}`;
    });
    for (const secret of this.literals) {
      if (!text.includes(secret)) continue;
      const parts = text.split(secret);
      for (let i = 1; i < parts.length; i++) this.count("env-secret");
      text = parts.join(marker("env-secret"));
    }
    return text;
  }

  private envValues(text: string): string {
    return text.replace(ENV_LINE, (line, before: string) => {
      if (/^(?:\+\+\+|---) /.test(line)) return line; // a diff's file header
      this.count("env-value");
      return `${before}${marker("env-value")}`;
    });
  }

  /** Redacts every string inside a JSON value (tool-call inputs). */
  value(input: unknown, envFile = false): unknown {
    if (typeof input === "string") return this.text(input, envFile);
    if (Array.isArray(input)) return input.map((v) => this.value(v, envFile));
    if (typeof input === "object" && input !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(input)) out[k] = this.value(v, envFile);
      return out;
    }
    return input;
  }
}

/** Does this tool call touch a .env-like file (a `path`-like input, or a shell command naming one)? */
function touchesEnvFile(input: Record<string, unknown>): boolean {
  for (const key of ["path", "filePath", "file", "file_path", "filename"]) {
    const v = input[key];
    if (typeof v === "string" && isEnvFile(v)) return true;
  }
  for (const key of ["command", "cmd", "script"]) {
    const v = input[key];
    if (typeof v === "string" && ENV_FILE_IN_COMMAND.test(v)) return true;
  }
  return false;
}

/** A redacted copy of the transcript and the number of values replaced per kind. */
export function redactTranscript(transcript: Transcript, options: RedactOptions = {}): { transcript: Transcript; redactions: RedactionCounts } {
  const r = new Redactor(options);
  const envCalls = new Set<string>();
  for (const m of transcript.messages) {
    if (m.role === "assistant") for (const call of m.toolCalls ?? []) if (touchesEnvFile(call.input)) envCalls.add(call.id);
  }
  const messages = transcript.messages.map((m): SharedMessage => {
    if (m.role === "user") return { ...m, content: r.text(m.content) };
    if (m.role === "tool") return { ...m, content: r.text(m.content, envCalls.has(m.toolCallId)) };
    const out: SharedMessage = { ...m, content: r.text(m.content) };
    if (m.toolCalls) {
      out.toolCalls = m.toolCalls.map((call) => ({
        ...call,
        input: r.value(call.input, envCalls.has(call.id)) as Record<string, unknown>,
      }));
    }
    return out;
  });
  const redacted: Transcript = { ...transcript, title: r.text(transcript.title), messages };
  if (transcript.edits) redacted.edits = transcript.edits.map((e) => ({ path: e.path, diff: r.text(e.diff, isEnvFile(e.path)) }));
  return { transcript: redacted, redactions: r.counts };
}

/** "3 values redacted (2 openai-key, 1 env-value)", or "" when nothing was. */
export function describeRedactions(counts: RedactionCounts): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return "";
  const parts = entries.sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${n} ${kind}`);
  return `${total} value${total === 1 ? "" : "s"} redacted (${parts.join(", ")})`;
}

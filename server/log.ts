// Logging: pino to stderr or a file, never stdout (stdout is the LSP channel in stdio mode).
//
// Secrets are redacted by path (API keys, Authorization headers, tokens) wherever they sit in a
// logged object, and by shape in free text (bearer tokens, well-known key prefixes).
import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export interface LogOptions {
  level?: string;
  file?: string;
}

const SECRET_KEYS = ["apiKey", "api_key", "authorization", "Authorization", "x-api-key", "token", "accessToken", "password", "secret"];

/** pino redact paths: a secret key at the top level and up to four levels down. */
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const seg = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
  return ["", "*", "*.*", "*.*.*", "*.*.*.*"].map((prefix) => (prefix ? `${prefix}${seg}` : seg.replace(/^\./, "")));
});

const SECRET_TEXT = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}|\b(sk-(?:ant-)?[A-Za-z0-9_-]{8,}|gh[pousr]_[A-Za-z0-9]{20,}|xai-[A-Za-z0-9]{20,}|AIza[0-9A-Za-z_-]{30,})/g;

/** Replaces secret-looking substrings in free text. */
export function redactText(text: string): string {
  return text.replace(SECRET_TEXT, (_m, bearer: string | undefined) => (bearer ? `${bearer}[Redacted]` : "[Redacted]"));
}

export function resolveLevel(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const level = flag ?? env.OPENCODE_LSP_LOG_LEVEL ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`unknown log level "${level}" (expected one of ${LOG_LEVELS.join(", ")})`);
  }
  return level as LevelWithSilent;
}

export function createLogger(options: LogOptions = {}, env: NodeJS.ProcessEnv = process.env): Logger {
  const file = options.file ?? env.OPENCODE_LSP_LOG;
  const destination = pino.destination({ dest: file ?? 2, sync: true, mkdir: Boolean(file) });
  return pino(
    {
      name: "opencode-lsp",
      level: resolveLevel(options.level, env),
      redact: { paths: REDACT_PATHS, censor: "[Redacted]" },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            const arg = args[i];
            if (typeof arg === "string") args[i] = redactText(arg);
          }
          method.apply(this, args);
        },
      },
    },
    destination,
  );
}

/** A logger that drops everything: for code paths run before logging is set up, and for tests. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

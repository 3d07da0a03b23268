// The environment a sandboxed command sees: the parent's, minus anything that looks like a credential.

/** Variable names that are never passed to a sandboxed command. */
const SECRET_NAME_PATTERNS: RegExp[] = [
  /API_?KEY/i,
  /TOKEN/i,
  /SECRET/i,
  /PASSW(OR)?D/i,
  /CREDENTIAL/i,
  /PRIVATE_?KEY/i,
  /(^|_)KEY$/i,
  /^AWS_/i,
  /^AZURE_/i,
  /^GOOGLE_APPLICATION_CREDENTIALS$/i,
  /^(OPENAI|ANTHROPIC|OLLAMA|GROQ|MISTRAL|XAI|DEEPSEEK|GEMINI|OPENROUTER|COHERE|TOGETHER|HF|HUGGINGFACE)_/i,
  /^NPM_CONFIG__?AUTH/i,
  /^(npm_config_)?_?auth/i,
];

export function isSecretName(name: string): boolean {
  return SECRET_NAME_PATTERNS.some((re) => re.test(name));
}

/** Non-interactive defaults: nothing should wait for a terminal that is not there. */
const SANDBOX_DEFAULTS: Record<string, string> = {
  GIT_TERMINAL_PROMPT: "0",
  GIT_PAGER: "cat",
  PAGER: "cat",
  TERM: "dumb",
  NO_COLOR: "1",
};

/**
 * A copy of `env` without secret-looking variables, plus non-interactive defaults, plus `extra`
 * (which is also scrubbed: a caller cannot smuggle a key back in by accident).
 */
export function scrubEnv(env: NodeJS.ProcessEnv = process.env, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isSecretName(name)) continue;
    out[name] = value;
  }
  Object.assign(out, SANDBOX_DEFAULTS);
  for (const [name, value] of Object.entries(extra)) {
    if (!isSecretName(name)) out[name] = value;
  }
  return out;
}

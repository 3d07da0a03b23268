// The one schema for every configuration source (SPEC.md "Configuration").
//
// Every key is optional here: each source (user file, workspace file, initializationOptions, the
// client's `opencode` section) is validated on its own against this schema, so an error names the
// source and the path. Defaults live in defaults.ts and are merged first; the merged result is a
// `Config`, where every key with a default is present.
//
// Code on the startup path uses zod/mini: the same validation, a twentieth of the code to load.
import * as z from "zod/mini";

const permissionWord = z.enum(["allow", "ask", "deny"]);
const positiveInt = () => z.int().check(z.positive());
const price = z.strictObject({ input: z.number().check(z.nonnegative()), output: z.number().check(z.nonnegative()) });

const providerEntry = z.strictObject({
  baseURL: z.optional(z.url()),
  apiKey: z.optional(z.string()),
  apiKeyEnv: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
  endpoints: z.optional(z.array(z.url())),
  /** Wire protocol for a provider the catalogue does not know. */
  protocol: z.optional(z.enum(["openai", "anthropic", "ollama"])),
  /** Extra or overriding models of this provider, by model id. */
  models: z.optional(
    z.record(
      z.string(),
      z.strictObject({
        name: z.optional(z.string()),
        contextWindow: z.optional(positiveInt()),
        maxOutput: z.optional(positiveInt()),
        tools: z.optional(z.boolean()),
        price: z.optional(price),
        /** Fill-in-the-middle on the completions endpoint (`opencode-lsp bench` asks it there). */
        fim: z.optional(z.boolean()),
      }),
    ),
  ),
});

/** A usage label (telemetry segment, region): shown lowercased, other characters as "_". */
const usageLabel = z.string().check(z.regex(/^[\w .:/-]{1,64}$/, "expected 1-64 letters, digits, spaces or . _ : / -"));

const proxyEntry = z.strictObject({
  command: z.array(z.string()).check(z.minLength(1)),
  filetypes: z.array(z.string()).check(z.minLength(1)),
  rootMarkers: z.optional(z.array(z.string())),
  settings: z.optional(z.record(z.string(), z.unknown())),
  initializationOptions: z.optional(z.unknown()),
  startTimeoutMs: z.optional(positiveInt()),
});

/** An MCP server, in the shape of OpenCode's opencode.json (`environment`; `env` is taken too). */
const mcpTimeout = z.optional(positiveInt());
const mcpLocal = z.strictObject({
  type: z.literal("local"),
  command: z.array(z.string()).check(z.minLength(1)),
  environment: z.optional(z.record(z.string(), z.string())),
  env: z.optional(z.record(z.string(), z.string())),
  enabled: z.optional(z.boolean()),
  /** Milliseconds to start and list the tools (default 5000). */
  timeout: mcpTimeout,
});
const mcpRemote = z.strictObject({
  type: z.literal("remote"),
  url: z.url(),
  headers: z.optional(z.record(z.string(), z.string())),
  enabled: z.optional(z.boolean()),
  timeout: mcpTimeout,
  /** OpenCode's OAuth settings: read, not used (headers carry the credentials here). */
  oauth: z.optional(z.union([z.literal(false), z.record(z.string(), z.unknown())])),
});
const mcpEntry = z.discriminatedUnion("type", [mcpLocal, mcpRemote]);
const permissionRule = z.union([permissionWord, z.record(z.string(), permissionWord)]);
const reviewWord = z.enum(["off", "ask"]);

export const configSchema = z.strictObject({
  model: z.optional(z.string().check(z.regex(/^[^/\s]+\/\S+$/, 'expected "provider/model"'))),
  providers: z.optional(z.record(z.string(), providerEntry)),
  proxy: z.optional(z.record(z.string(), proxyEntry)),
  /** MCP servers whose tools the agent may use (issue 15). */
  mcp: z.optional(z.record(z.string(), mcpEntry)),
  permissions: z.optional(
    z.strictObject({
      edit: z.optional(permissionWord),
      bash: z.optional(permissionRule),
      read: z.optional(permissionWord),
      webfetch: z.optional(permissionWord),
      /** MCP tools: one word, or tool-name patterns (`github_*`) to words. */
      mcp: z.optional(permissionRule),
    }),
  ),
  retention: z.optional(z.enum(["none", "local"])),
  telemetry: z.optional(
    z.strictObject({
      enabled: z.optional(z.boolean()),
      /** The Prometheus metrics endpoint's port on 127.0.0.1 (0: any free port). */
      port: z.optional(z.int().check(z.nonnegative(), z.lte(65535))),
      /** Who is counting (issue 19): "enterprise", "hobbyist", a team name; default "default". */
      segment: z.optional(usageLabel),
      /** Where (a coarse region, e.g. "europe"); default: from the time zone, never from an IP address. */
      region: z.optional(usageLabel),
    }),
  ),
  /** The hash-chained audit log (issue 10): off by default, since it is a file that stays. */
  audit: z.optional(z.strictObject({ enabled: z.optional(z.boolean()), file: z.optional(z.string()) })),
  share: z.optional(z.strictObject({ baseUrl: z.optional(z.url()), sign: z.optional(z.boolean()) })),
  policy: z.optional(
    z.strictObject({
      offline: z.optional(z.boolean()),
      allowProviders: z.optional(z.array(z.string())),
      denyTools: z.optional(z.array(z.string())),
      allowPaths: z.optional(z.array(z.string())),
    }),
  ),
  offline: z.optional(z.strictObject({ modelDir: z.optional(z.string()), trustedKeys: z.optional(z.array(z.string())) })),
  completion: z.optional(
    z.strictObject({ enabled: z.optional(z.boolean()), debounceMs: z.optional(z.int().check(z.nonnegative())) }),
  ),
  /** Sessions across machines (issue 18): a Hocuspocus server to sync through; off unless set. */
  sync: z.optional(
    z.strictObject({
      url: z.string().check(z.regex(/^wss?:\/\/\S+$/, "expected a ws:// or wss:// URL")),
      token: z.optional(z.string()),
      tokenEnv: z.optional(z.string()),
      room: z.optional(z.string().check(z.regex(/^[\w.-]+$/, "expected letters, digits, . _ -"))),
    }),
  ),
  /** Edits reaching open buffers (issue 20): how long the editor's didChange and a delivery are awaited. */
  edits: z.optional(
    z.strictObject({ echoTimeoutMs: z.optional(positiveInt()), deliveryTimeoutMs: z.optional(positiveInt()) }),
  ),
  /**
   * Review before write (issue 16): "ask" holds each agent edit as pending hunks until the user
   * accepts or rejects them; "off" applies edits at once. Rules by tool name (`edit`, `write`,
   * `multiedit`) and by workspace path glob (the most specific glob wins, then the tool, then
   * `default`). Unset: "ask" for editors that can show it (they announce it), "off" elsewhere.
   */
  review: z.optional(
    z.union([
      reviewWord,
      z.strictObject({ default: z.optional(reviewWord), tools: z.optional(z.record(z.string(), reviewWord)), paths: z.optional(z.record(z.string(), reviewWord)) }),
    ]),
  ),
  /** The provider completion cache (issue 3): entries and time to live. */
  cache: z.optional(
    z.strictObject({ maxEntries: z.optional(z.int().check(z.nonnegative())), ttlMs: z.optional(z.int().check(z.nonnegative())) }),
  ),
});

/** What one source may hold: every key optional. */
export type ConfigInput = z.infer<typeof configSchema>;

type PermissionWord = z.infer<typeof permissionWord>;
export type ReviewWord = z.infer<typeof reviewWord>;
export type ReviewConfig = ReviewWord | { default?: ReviewWord; tools?: Record<string, ReviewWord>; paths?: Record<string, ReviewWord> };
export type ProviderConfig = z.infer<typeof providerEntry>;
export type ProxyConfig = z.infer<typeof proxyEntry>;
export type McpConfig = z.infer<typeof mcpEntry>;

/** The effective configuration: the merge of defaults and every valid source. */
export interface Config {
  model?: string;
  providers: Record<string, ProviderConfig>;
  proxy: Record<string, ProxyConfig>;
  mcp: Record<string, McpConfig>;
  permissions: {
    edit: PermissionWord;
    bash: PermissionWord | Record<string, PermissionWord>;
    read: PermissionWord;
    webfetch: PermissionWord;
    mcp: PermissionWord | Record<string, PermissionWord>;
  };
  retention: "none" | "local";
  telemetry: { enabled: boolean; port?: number; segment?: string; region?: string };
  audit: { enabled: boolean; file?: string };
  share: { baseUrl?: string; sign: boolean };
  policy: { offline: boolean; allowProviders?: string[]; denyTools: string[]; allowPaths?: string[] };
  offline: { modelDir?: string; trustedKeys: string[] };
  completion: { enabled: boolean; debounceMs: number };
  cache: { maxEntries: number; ttlMs: number };
  sync?: { url: string; token?: string; tokenEnv?: string; room?: string };
  edits: { echoTimeoutMs: number; deliveryTimeoutMs: number };
  /** Unset: decided by the front (what the editor can show). */
  review?: ReviewConfig;
}

/** One problem in one source, with the dotted path to the value. */
export interface ConfigIssue {
  source: string;
  path: string;
  message: string;
}

export function validateSource(source: string, raw: unknown): { ok: true; value: ConfigInput } | { ok: false; issues: ConfigIssue[] } {
  const result = z.safeParse(configSchema, raw ?? {});
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      source,
      path: issue.path.map(String).join(".") || "(root)",
      message: describeIssue(issue),
    })),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_format" && issue.format === "url") return "expected a URL";
  if (issue.code === "invalid_format" && issue.format === "regex") return issue.message === "Invalid input" ? `does not match ${issue.pattern}` : issue.message;
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "unrecognized_keys") return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_value") return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "invalid_union" && "options" in issue) return `expected one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "too_small") return `expected at least ${issue.minimum}`;
  return issue.message;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.source}: ${issue.path}: ${issue.message}`;
}

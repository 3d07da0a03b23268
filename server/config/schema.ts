// The one schema for every configuration source (SPEC.md "Configuration").
//
// Every key is optional here: each source (user file, workspace file, initializationOptions, the
// client's `opencode` section) is validated on its own against this schema, so an error names the
// source and the path. Defaults live in defaults.ts and are merged first; the merged result is a
// `Config`, where every key with a default is present.
import { z } from "zod";

const permissionWord = z.enum(["allow", "ask", "deny"]);

const providerEntry = z.strictObject({
  baseURL: z.string().url().optional(),
  apiKey: z.string().optional(),
  apiKeyEnv: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  endpoints: z.array(z.string().url()).optional(),
  /** Wire protocol for a provider the catalogue does not know: "openai" | "anthropic" | "ollama". */
  protocol: z.enum(["openai", "anthropic", "ollama"]).optional(),
  /** Extra or overriding models of this provider, by model id. */
  models: z
    .record(
      z.string(),
      z.strictObject({
        name: z.string().optional(),
        contextWindow: z.number().int().positive().optional(),
        maxOutput: z.number().int().positive().optional(),
        tools: z.boolean().optional(),
        price: z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }).optional(),
      }),
    )
    .optional(),
});

const proxyEntry = z.strictObject({
  command: z.array(z.string()).min(1),
  filetypes: z.array(z.string()).min(1),
  rootMarkers: z.array(z.string()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  initializationOptions: z.unknown().optional(),
});

export const configSchema = z.strictObject({
  model: z
    .string()
    .regex(/^[^/\s]+\/\S+$/, 'expected "provider/model"')
    .optional(),
  providers: z.record(z.string(), providerEntry).optional(),
  proxy: z.record(z.string(), proxyEntry).optional(),
  permissions: z
    .strictObject({
      edit: permissionWord.optional(),
      bash: z.union([permissionWord, z.record(z.string(), permissionWord)]).optional(),
      read: permissionWord.optional(),
      webfetch: permissionWord.optional(),
    })
    .optional(),
  retention: z.enum(["none", "local"]).optional(),
  telemetry: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  share: z.strictObject({ baseUrl: z.string().url().optional(), sign: z.boolean().optional() }).optional(),
  policy: z
    .strictObject({
      offline: z.boolean().optional(),
      allowProviders: z.array(z.string()).optional(),
      denyTools: z.array(z.string()).optional(),
      allowPaths: z.array(z.string()).optional(),
    })
    .optional(),
  offline: z
    .strictObject({ modelDir: z.string().optional(), trustedKeys: z.array(z.string()).optional() })
    .optional(),
  completion: z
    .strictObject({
      enabled: z.boolean().optional(),
      debounceMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
  cache: z
    .strictObject({
      maxEntries: z.number().int().nonnegative().optional(),
      ttlMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/** What one source may hold: every key optional. */
export type ConfigInput = z.infer<typeof configSchema>;

type PermissionWord = z.infer<typeof permissionWord>;
export type ProviderConfig = z.infer<typeof providerEntry>;
export type ProxyConfig = z.infer<typeof proxyEntry>;

/** The effective configuration: the merge of defaults and every valid source. */
export interface Config {
  model?: string;
  providers: Record<string, ProviderConfig>;
  proxy: Record<string, ProxyConfig>;
  permissions: {
    edit: PermissionWord;
    bash: PermissionWord | Record<string, PermissionWord>;
    read: PermissionWord;
    webfetch: PermissionWord;
  };
  retention: "none" | "local";
  telemetry: { enabled: boolean };
  share: { baseUrl?: string; sign: boolean };
  policy: { offline: boolean; allowProviders?: string[]; denyTools: string[]; allowPaths?: string[] };
  offline: { modelDir?: string; trustedKeys: string[] };
  completion: { enabled: boolean; debounceMs: number };
  cache: { maxEntries: number; ttlMs: number };
}

/** One problem in one source, with the dotted path to the value. */
export interface ConfigIssue {
  source: string;
  path: string;
  message: string;
}

export function validateSource(source: string, raw: unknown): { ok: true; value: ConfigInput } | { ok: false; issues: ConfigIssue[] } {
  const result = configSchema.safeParse(raw ?? {});
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
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "unrecognized_keys") return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_value") return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  return issue.message;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.source}: ${issue.path}: ${issue.message}`;
}

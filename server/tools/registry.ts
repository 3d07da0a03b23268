// The tool registry: lists the tools the model may call (honouring policy.denyTools), and runs one
// by name — validate input, doom-loop guard, permissions, run, cap output. Every failure along the
// way is a failed ToolResult the model can read; nothing here throws at the agent loop.
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { auditPolicyDenial, checkTool, PolicyDenied } from "../privacy/policy.ts";
import { capOutput } from "./output.ts";
import { PathError } from "./paths.ts";
import { checkDoomLoop, checkPermissions, DEFAULT_PERMISSIONS, type PermissionsConfig } from "./permissions.ts";
import { fail, type Tool, type ToolContext, type ToolResult } from "./types.ts";

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema (draft 2020-12) of the input object. */
  inputSchema: Record<string, unknown>;
}

/** The parts of the configuration the registry reads. */
export interface RegistryConfig {
  permissions?: PermissionsConfig;
  policy?: Partial<Config["policy"]>;
}

export interface RegistryOptions {
  tools?: Tool[];
  /** The configuration, or a getter for the live one (re-read on every call). */
  config?: RegistryConfig | (() => RegistryConfig);
  logger?: Logger;
}

export class ToolRegistry {
  private readonly tools: Map<string, Tool>;
  private readonly schemas: Map<string, Record<string, unknown>>;
  private readonly config: () => RegistryConfig;
  private readonly logger: Logger | undefined;

  constructor(options: RegistryOptions = {}, shared?: { tools: Map<string, Tool>; schemas: Map<string, Record<string, unknown>> }) {
    const config = options.config ?? {};
    this.config = typeof config === "function" ? config : () => config;
    this.logger = options.logger;
    this.tools = shared ? new Map(shared.tools) : new Map();
    this.schemas = shared?.schemas ?? new Map();
    for (const tool of options.tools ?? []) this.register(tool);
  }

  register(tool: Tool): void {
    if (this.tools.has(tool.name)) throw new Error(`tool ${tool.name} is already registered`);
    this.tools.set(tool.name, tool);
  }

  /**
   * This registry's tools plus `extra` (one session's MCP tools, for one turn), with the same
   * configuration; this one is left as it is. An extra tool whose name is taken is skipped.
   */
  withTools(extra: Tool[]): ToolRegistry {
    const view = new ToolRegistry({ config: this.config, ...(this.logger ? { logger: this.logger } : {}) }, { tools: this.tools, schemas: this.schemas });
    for (const tool of extra) {
      if (view.tools.has(tool.name)) this.logger?.warn({ tool: tool.name }, "a tool of that name is already registered; skipped");
      else view.tools.set(tool.name, tool);
    }
    return view;
  }

  private denial(tool: Tool): PolicyDenied | undefined {
    return checkTool(tool.name, this.config().policy, tool.group);
  }

  /** Tools the model may call now. */
  list(): Tool[] {
    return [...this.tools.values()].filter((t) => !this.denial(t));
  }

  get(name: string): Tool | undefined {
    return this.tools.get(name);
  }

  inputSchema(tool: Tool): Record<string, unknown> {
    if (tool.inputJsonSchema) return tool.inputJsonSchema;
    let schema = this.schemas.get(tool.name);
    if (!schema) {
      schema = z.toJSONSchema(tool.schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
      delete schema.$schema;
      this.schemas.set(tool.name, schema);
    }
    return schema;
  }

  /** What the model is shown: name, description, JSON Schema of the input. */
  definitions(): ToolDefinition[] {
    return this.list().map((tool) => ({ name: tool.name, description: tool.description, inputSchema: this.inputSchema(tool) }));
  }

  async run(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
    const started = performance.now();
    const result = await this.runUncapped(name, rawInput, ctx);
    const capped = capOutput(result.output);
    if (capped.truncated) {
      result.output = capped.text;
      result.metadata = { ...result.metadata, truncated: true };
    }
    this.logger?.debug({ tool: name, status: result.status, ms: Math.round(performance.now() - started) }, "tool call");
    return result;
  }

  private async runUncapped(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult> {
    const tool = this.tools.get(name);
    if (!tool) {
      return fail(`Unknown tool "${name}". Available tools: ${this.list().map((t) => t.name).join(", ")}.`);
    }
    const denied = this.denial(tool);
    if (denied) {
      auditPolicyDenial(denied, { tool: name });
      return fail(`The tool "${name}" is disabled by policy (policy.denyTools).`);
    }
    const config = this.config();
    if (tool.network && config.policy?.offline) {
      auditPolicyDenial(new PolicyDenied("offline", `the tool "${name}" needs the network and offline mode is on`), { tool: name });
      return fail(`The tool "${name}" needs the network, and offline mode (policy.offline) is on.`);
    }

    const parsed = tool.schema.safeParse(rawInput ?? {});
    if (!parsed.success) return fail(formatValidationError(name, parsed.error));
    const input = parsed.data;
    if (ctx.signal.aborted) return fail("Cancelled before it ran.", { cancelled: true });

    try {
      const title = tool.title?.(input) ?? name;
      const looping = await checkDoomLoop(name, input, title, ctx);
      if (looping) return looping;
      const needs = tool.permissions ? await tool.permissions(input, ctx) : [];
      if (needs.length > 0) {
        const refused = await checkPermissions({ ...DEFAULT_PERMISSIONS, ...config.permissions }, { tool: name, input, title, needs }, ctx);
        if (refused) return refused;
      }
      if (ctx.signal.aborted) return fail("Cancelled before it ran.", { cancelled: true });
      return await tool.run(input, ctx);
    } catch (error) {
      if (error instanceof PathError) return fail(error.message);
      if (ctx.signal.aborted) return fail("Cancelled.", { cancelled: true });
      const err = error as NodeJS.ErrnoException;
      this.logger?.warn({ tool: name, err }, "tool threw");
      return fail(`${name} failed: ${describeError(err)}`);
    }
  }
}

export function describeError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "ENOENT":
      return `no such file or directory${err.path ? ` (${err.path})` : ""}`;
    case "EACCES":
    case "EPERM":
      return `permission denied by the operating system${err.path ? ` (${err.path})` : ""}`;
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a path component is not a directory";
    default:
      return err.message ?? String(err);
  }
}

function formatValidationError(tool: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.map(String).join(".") || "(input)";
    return `- ${path}: ${issue.message}`;
  });
  return `Invalid input for tool "${tool}":\n${lines.join("\n")}\nFix the arguments to match the tool's input schema and call it again.`;
}

// MCP servers' tools as agent tools: shown to the model with the server's own JSON Schema, the
// input validated against it (Ajv, through the MCP SDK's validator) before anything is asked or
// sent, permission `mcp` per tool name (default ask), denyTools group "mcp". The call goes to the
// session's MCP access (the hub in this thread, or the main thread's through the worker RPC).
import { z } from "zod";
import type { McpSessionAccess, McpToolInfo, McpUnavailable } from "../mcp/types.ts";
import { defineTool, fail, ok, type Tool } from "./types.ts";

/** An error message, or undefined when the input is valid. */
type Validate = (input: unknown) => string | undefined;
type Compile = (schema: Record<string, unknown>) => Validate;

let compiler: Promise<Compile> | undefined;
/** Compiled validators by schema text: a worker lists the same tools every turn. */
const compiled = new Map<string, Validate>();

function loadCompiler(): Promise<Compile> {
  compiler ??= import("@modelcontextprotocol/sdk/validation/ajv").then(({ AjvJsonSchemaValidator }) => {
    const ajv = new AjvJsonSchemaValidator();
    return (schema) => {
      const validator = ajv.getValidator(schema);
      return (input) => {
        const result = validator(input);
        return result.valid ? undefined : result.errorMessage.replace(/\bdata\b/g, "input");
      };
    };
  });
  return compiler;
}

function validatorFor(schema: Record<string, unknown>, compile: Compile): Validate {
  // The meta-schema reference is for editors; Ajv would try to resolve it (2020-12 is not built in).
  const { $schema: _meta, ...body } = schema;
  const key = JSON.stringify(body);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = compile(body);
    } catch {
      validate = () => undefined; // a schema Ajv cannot compile: the server validates
    }
    compiled.set(key, validate);
  }
  return validate;
}

function briefArgs(input: Record<string, unknown>): string {
  const text = JSON.stringify(input);
  if (text === "{}") return "";
  return ` ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`;
}

export function mcpTool(info: McpToolInfo, access: McpSessionAccess, validate: Validate): Tool {
  const schema = z.record(z.string(), z.unknown()).superRefine((input, ctx) => {
    const error = validate(input);
    if (error) ctx.addIssue({ code: "custom", message: error });
  });
  const { $schema: _meta, ...shown } = info.inputSchema;
  return defineTool({
    name: info.name,
    description: info.description,
    schema,
    inputJsonSchema: { type: "object", ...shown },
    group: "mcp",
    title: (input) => `${info.server}: ${info.tool}${briefArgs(input)}`,
    permissions: () => [{ kind: "mcp", subject: info.name }],
    async run(input, ctx) {
      const result = await access.call(info.server, info.tool, input, ctx.signal);
      if (ctx.signal.aborted) return fail("Cancelled.", { cancelled: true });
      return result.status === "completed" ? ok(result.output, { mcp: info.server }) : fail(result.output, { mcp: info.server });
    },
  }) as Tool;
}

/** One turn's MCP tools, and the servers that are down. */
export interface McpTurnTools {
  tools: Tool[];
  unavailable: McpUnavailable[];
}

/** The session's MCP tools for this turn (starting servers on first use), and the servers it lacks. */
export async function mcpTools(access: McpSessionAccess): Promise<McpTurnTools> {
  const list = await access.tools();
  if (list.tools.length === 0) return { tools: [], unavailable: list.unavailable };
  const compile = await loadCompiler();
  return { tools: list.tools.map((info) => mcpTool(info, access, validatorFor(info.inputSchema, compile))), unavailable: list.unavailable };
}

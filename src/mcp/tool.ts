import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  McpError,
  type CallToolResult,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { BosunError, formatZodIssues, toBosunError, type Logger } from '../core/index.js';
import type { Answer } from './budget.js';

/**
 * Tools of Bosun's MCP servers: each answers with structured content (its output schema) and
 * a readable text part, and turns any error into a tool error that tells the model what to do
 * next.
 */

/** What the model should do after each kind of error (by error code), when the error carries no hint. */
export type NextSteps = Readonly<Record<string, string>>;

export interface ToolContext {
  logger: Logger;
  nextSteps: NextSteps;
}

/** A Bosun error as an MCP tool error: what went wrong and what to do next, in words. */
export function toolError(err: unknown, nextSteps: NextSteps): CallToolResult {
  const e = toBosunError(err);
  const next = e.hint ?? nextSteps[e.code] ?? 'tell the user what failed; retrying will not help';
  return { isError: true, content: [{ type: 'text', text: `error[${e.code}]: ${e.message}\nnext: ${next}` }] };
}

export interface ToolSpec<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: ToolAnnotations;
  run: (args: z.objectOutputType<I, z.ZodTypeAny>) => Promise<Answer<z.objectOutputType<O, z.ZodTypeAny>>>;
}

/** A registered tool as `answerToolCalls` runs it. */
export interface DefinedTool {
  name: string;
  /** Annotated `readOnlyHint`: it changes nothing, so HTTP serves it without a token on loopback. */
  readOnly: boolean;
  /** The input shape as a strict object: unknown keys are named in the error. */
  input: z.ZodTypeAny;
  call(args: unknown): Promise<CallToolResult>;
}

/** Each server's tools → whether the tool is read-only. */
const toolKinds = new WeakMap<McpServer, Map<string, boolean>>();

/** Whether `name` is a tool of the server that changes state (not annotated `readOnlyHint`). */
export function toolChangesState(server: McpServer, name: string): boolean {
  return toolKinds.get(server)?.get(name) === false;
}

/**
 * Registers a tool whose answer is structured content plus a readable text part; any error
 * becomes a tool error. Returns the tool for `answerToolCalls`.
 */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  server: McpServer,
  spec: ToolSpec<I, O>,
  context: ToolContext,
): DefinedTool {
  const handler = async (args: z.objectOutputType<I, z.ZodTypeAny>): Promise<CallToolResult> => {
    try {
      const answer = await spec.run(args);
      return {
        structuredContent: answer.structured,
        content: [{ type: 'text', text: answer.text }],
      };
    } catch (err) {
      context.logger.debug({ err, tool: spec.name }, 'tool error');
      return toolError(err, context.nextSteps);
    }
  };
  // The SDK's generic signature is deep enough to exhaust the compiler on zod 3 shapes; the
  // shapes themselves are what it validates against.
  (server.registerTool as (name: string, config: object, cb: typeof handler) => void)(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: spec.annotations,
    },
    handler,
  );
  const readOnly = spec.annotations?.readOnlyHint === true;
  toolKinds.set(server, (toolKinds.get(server) ?? new Map<string, boolean>()).set(spec.name, readOnly));
  return {
    name: spec.name,
    readOnly,
    input: z.object(spec.input).strict(),
    call: (args) => handler(args as z.objectOutputType<I, z.ZodTypeAny>),
  };
}

/**
 * Answers `tools/call` itself, as the 2025-11-25 specification has it (SDK 1.32 answers an
 * unknown tool with a tool result instead): an unknown tool is a protocol error (-32602) naming
 * the tools; arguments that fail the input schema are a tool error the model can correct.
 * Call after every tool is defined; `tools/list` stays the SDK's.
 */
export function answerToolCalls(server: McpServer, tools: readonly DefinedTool[], context: ToolContext): void {
  const byName = new Map(tools.map((t) => [t.name, t]));
  server.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool: ${request.params.name}. Tools: ${[...byName.keys()].join(', ')}`,
      );
    }
    const parsed = tool.input.safeParse(request.params.arguments ?? {});
    if (!parsed.success) {
      return toolError(
        new BosunError('INVALID_INPUT', `invalid arguments for ${tool.name}: ${formatZodIssues(parsed.error)}`),
        context.nextSteps,
      );
    }
    return tool.call(parsed.data);
  });
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { toBosunError, type Logger } from '../../core/index.js';
import type { Answer } from './budget.js';

/** What the model should do after each kind of error, when the error itself has no hint. */
const nextStep: Record<string, string> = {
  NOT_FOUND: 'check the name with list_projects or list_tasks, then call again',
  CONFLICT: 'look at the current state with project_overview or task_details, then decide',
  INVALID_INPUT: 'fix the arguments as the message says and call again',
};

/** A Bosun error as an MCP tool error: what went wrong and what to do next, in words. */
export function toolError(err: unknown): CallToolResult {
  const e = toBosunError(err);
  const next = e.hint ?? nextStep[e.code] ?? 'tell the user what failed; retrying will not help';
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

/**
 * Registers a tool whose answer is structured content (checked against its output schema by
 * the SDK) plus a readable text part; any error becomes a tool error.
 */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(server: McpServer, spec: ToolSpec<I, O>, logger: Logger): void {
  const handler = async (args: z.objectOutputType<I, z.ZodTypeAny>): Promise<CallToolResult> => {
    try {
      const answer = await spec.run(args);
      return { structuredContent: answer.structured as Record<string, unknown>, content: [{ type: 'text', text: answer.text }] };
    } catch (err) {
      logger.debug({ err, tool: spec.name }, 'tool error');
      return toolError(err);
    }
  };
  // The SDK's generic signature is deep enough to exhaust the compiler on zod 3 shapes; the
  // shapes themselves are what it validates against.
  (server.registerTool as (name: string, config: object, cb: typeof handler) => void)(
    spec.name,
    { title: spec.title, description: spec.description, inputSchema: spec.input, outputSchema: spec.output, annotations: spec.annotations },
    handler,
  );
}

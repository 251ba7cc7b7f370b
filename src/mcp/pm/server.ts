import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PmServerDeps } from './deps.js';
import { registerProjectTools } from './project-tools.js';
import { registerTaskTools } from './task-tools.js';

const INSTRUCTIONS = `Bosun's project manager: it holds the projects, their tasks and history, so you can be the brain while Bosun is the memory.
Typical loop: project_overview → next_task (claims a task and gives its context) → do the work → complete_task with a result envelope → next_task.
Plan with create_tasks (a DAG of tasks with skills); record decisions and progress with report_progress; move phases with advance_phase.
Every answer fits a token budget; lists and long context continue with a cursor.`;

/** The PM MCP server: nine tools over the project manager. */
export function createPmServer(deps: PmServerDeps): McpServer {
  const server = new McpServer(
    { name: 'bosun-pm', version: '0.1.0' },
    { instructions: INSTRUCTIONS, capabilities: { tools: {} } },
  );
  registerProjectTools(server, deps);
  registerTaskTools(server, deps);
  return server;
}

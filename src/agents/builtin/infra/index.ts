import { skillDispatcher } from '../dispatch.js';
import { failedFromError } from '../tabular/failure.js';
import { runDeploySkill } from './deploy.js';
import { runScaffold } from './scaffold/index.js';
import { runMonitorSkill } from './schedules/monitor.js';
import { runScheduleSkill } from './schedules/skill.js';

/**
 * The infrastructure agent: infra.mcp_scaffold writes a standalone MCP server project,
 * infra.schedule puts a recurring job (a sandboxed command, or a task template) on Bosun's
 * queue, infra.monitor reports a schedule's health and can raise a task when it breaks, and
 * infra.deploy writes the deployment plan a person carries out. Inputs are those of
 * agents/infra.yaml, checked again with zod where JSON Schema cannot say enough.
 */
export const infraAgent = skillDispatcher(
  'infra',
  {
    'infra.mcp_scaffold': runScaffold,
    'infra.schedule': runScheduleSkill,
    'infra.monitor': runMonitorSkill,
    'infra.deploy': runDeploySkill,
  },
  { onError: failedFromError },
);

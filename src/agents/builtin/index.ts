import type { AgentExecutor } from '../runtime/types.js';
import { dataEngineeringAgent } from './data/index.js';
import { flowAgent } from './flow/index.js';
import { pythonAgent } from './python/index.js';
import { sqlAgent } from './sql/index.js';
import { youtubeAgent } from './youtube/index.js';

/** The built-in agents by module name, as manifests name them in `executor: { kind: builtin, module }`. */
export const builtinAgents: Readonly<Record<string, AgentExecutor>> = {
  data: dataEngineeringAgent,
  flow: flowAgent,
  python: pythonAgent,
  sql: sqlAgent,
  youtube: youtubeAgent,
};

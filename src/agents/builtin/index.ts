import type { AgentExecutor } from '../runtime/types.js';
import { flowAgent } from './flow/index.js';
import { mlAgent } from './ml/index.js';
import { pythonAgent } from './python/index.js';
import { vizAgent } from './viz/index.js';
import { youtubeAgent } from './youtube/index.js';

/** The built-in agents by module name, as manifests name them in `executor: { kind: builtin, module }`. */
export const builtinAgents: Readonly<Record<string, AgentExecutor>> = {
  flow: flowAgent,
  ml: mlAgent,
  python: pythonAgent,
  viz: vizAgent,
  youtube: youtubeAgent,
};

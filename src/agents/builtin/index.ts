import type { AgentExecutor } from '../runtime/types.js';
import { dataEngineeringAgent } from './data/index.js';
import { documentsAgent } from './documents/index.js';
import { flowAgent } from './flow/index.js';
import { gpuAgent } from './gpu/index.js';
import { infraAgent } from './infra/index.js';
import { mlAgent } from './ml/index.js';
import { pythonAgent } from './python/index.js';
import { researchAgent } from './research/index.js';
import { sqlAgent } from './sql/index.js';
import { testingAgent } from './testing/index.js';
import { vizAgent } from './viz/index.js';
import { webAgent } from './web/index.js';
import { youtubeAgent } from './youtube/index.js';

/** The built-in agents by module name, as manifests name them in `executor: { kind: builtin, module }`. */
export const builtinAgents: Readonly<Record<string, AgentExecutor>> = {
  data: dataEngineeringAgent,
  documents: documentsAgent,
  flow: flowAgent,
  gpu: gpuAgent,
  infra: infraAgent,
  ml: mlAgent,
  python: pythonAgent,
  research: researchAgent,
  sql: sqlAgent,
  testing: testingAgent,
  viz: vizAgent,
  web: webAgent,
  youtube: youtubeAgent,
};

import type { ResultEnvelope } from '../../envelope.js';
import type { AgentContext } from '../../runtime/types.js';
import { skillDispatcher } from '../dispatch.js';
import { failedFromError } from '../tabular/failure.js';
import { runIngest } from './ingest.js';
import { runQuality } from './quality.js';
import { runSynthetic } from './synthetic.js';
import { runTransform } from './transform.js';

/** Each skill reads its input as agents/data-engineering.yaml declares it (validated before run()). */
const withInput = (skill: (ctx: AgentContext, input: never) => Promise<ResultEnvelope>) => (ctx: AgentContext) =>
  skill(ctx, ctx.input as never);

/**
 * The data-engineering agent, on DuckDB and the lake: data.ingest lands files, URLs and queries
 * in lake tables or Parquet; data.transform runs SQL over them with lineage; data.quality
 * profiles and checks them; data.synthetic generates rows.
 */
export const dataEngineeringAgent = skillDispatcher(
  'data-engineering',
  {
    'data.ingest': withInput(runIngest),
    'data.quality': withInput(runQuality),
    'data.transform': withInput(runTransform),
    'data.synthetic': withInput(runSynthetic),
  },
  { onError: failedFromError },
);

import { BosunError } from '../../../core/index.js';
import type { ResultEnvelope } from '../../envelope.js';
import type { AgentContext, AgentExecutor } from '../../runtime/types.js';
import { failedFromError } from '../tabular/failure.js';
import { runIngest } from './ingest.js';
import { runQuality } from './quality.js';
import { runSynthetic } from './synthetic.js';
import { runTransform } from './transform.js';

type Skill = (ctx: AgentContext, input: never) => Promise<ResultEnvelope>;

const skills: Record<string, Skill> = {
  'data.ingest': runIngest,
  'data.quality': runQuality,
  'data.transform': runTransform,
  'data.synthetic': runSynthetic,
};

/**
 * The data-engineering agent, on DuckDB and the lake: data.ingest lands files, URLs and queries
 * in lake tables or Parquet; data.transform runs SQL over them with lineage; data.quality
 * profiles and checks them; data.synthetic generates rows. Input fields are those of agents/data-engineering.yaml, validated
 * before run().
 */
export const dataEngineeringAgent: AgentExecutor = {
  async run(ctx) {
    const skill = skills[ctx.skillId];
    if (!skill)
      throw new BosunError('INVALID_INPUT', `the data-engineering agent has no skill '${ctx.skillId}'`, {
        details: { retryable: false },
      });
    try {
      return await skill(ctx, ctx.input as never);
    } catch (err) {
      return failedFromError(err);
    }
  },
};

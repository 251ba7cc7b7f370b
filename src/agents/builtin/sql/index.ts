import { BosunError } from '../../../core/index.js';
import type { AgentExecutor } from '../../runtime/types.js';
import { failedFromError } from '../tabular/failure.js';
import { runExplain, type ExplainInput } from './explain.js';
import { runQuery, type QueryInput } from './query.js';

/**
 * The SQL agent: sql.query runs a query on PostgreSQL (Bosun's own database read-only, or a
 * configured connection) or DuckDB (the lake and the task folder, or a DuckDB file), read-only
 * unless asked to write; sql.explain returns a plan with findings a person can act on. Input fields are those of agents/sql.yaml, validated before run().
 */
export const sqlAgent: AgentExecutor = {
  async run(ctx) {
    try {
      if (ctx.skillId === 'sql.query') return await runQuery(ctx, ctx.input as unknown as QueryInput);
      if (ctx.skillId === 'sql.explain') return await runExplain(ctx, ctx.input as unknown as ExplainInput);
    } catch (err) {
      return failedFromError(err);
    }
    throw new BosunError('INVALID_INPUT', `the sql agent has no skill '${ctx.skillId}'`, {
      details: { retryable: false },
    });
  },
};

import { BosunError } from '../../../core/index.js';
import { failedEnvelope } from '../../envelope.js';
import type { AgentExecutor } from '../../runtime/types.js';
import { runQuery, type QueryInput } from './query.js';

/**
 * The SQL agent: sql.query runs a query on PostgreSQL (Bosun's own database read-only, or a
 * configured connection) or DuckDB (the lake and the task folder, or a DuckDB file), read-only
 * unless asked to write. Input fields are those of agents/sql.yaml, validated before run().
 */
export const sqlAgent: AgentExecutor = {
  async run(ctx) {
    try {
      if (ctx.skillId === 'sql.query') return await runQuery(ctx, ctx.input as unknown as QueryInput);
    } catch (err) {
      // A refused or failed query is a result the caller reads: the engine's message and position go in outputs.
      if (err instanceof BosunError && err.code !== 'INTERNAL') {
        return failedEnvelope(
          { code: err.code, message: err.message, retryable: err.details?.retryable === true },
          { outputs: { error: { code: err.code, message: err.message, hint: err.hint ?? null, ...err.details } } },
        );
      }
      throw err;
    }
    throw new BosunError('INVALID_INPUT', `the sql agent has no skill '${ctx.skillId}'`, {
      details: { retryable: false },
    });
  },
};

import { BosunError } from '../../../core/index.js';
import { failedEnvelope, type ResultEnvelope } from '../../envelope.js';

/**
 * A refused or failed query or data step is a result the caller reads: the error, with the
 * details a person acts on (engine message, position, configured connections), goes in outputs.
 * Anything else (a bug) is rethrown for the runtime to report.
 */
export function failedFromError(err: unknown): ResultEnvelope {
  if (!(err instanceof BosunError) || err.code === 'INTERNAL') throw err;
  return failedEnvelope(
    { code: err.code, message: err.message, retryable: err.details?.retryable === true },
    { outputs: { error: { code: err.code, message: err.message, hint: err.hint ?? null, ...err.details } } },
  );
}

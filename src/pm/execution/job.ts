import { z } from 'zod';
import { BosunError, parseWith } from '../../core/index.js';
import type { JobType } from '../../queue/index.js';
import { TASK_RUN_JOB, type TaskRunJobData } from './dispatch.js';
import { runTask } from './run-task.js';
import { executionRuntime, workerActor } from './runtime.js';

const jobData = z.object({ taskId: z.string().uuid(), home: z.string().min(1) }).strict();

/**
 * `task.run`: runs one task by its agent. A failure the agent calls retryable, with attempts
 * left, fails the job so the queue retries it (with backoff); anything else completes the job,
 * the task carrying the outcome. A worker that dies mid-run has its job failed by the others,
 * and the retry closes the lost run and starts the next attempt.
 */
export const taskRunJobType: JobType<TaskRunJobData> = {
  name: TASK_RUN_JOB,
  options: { retryLimit: 2, retryDelay: 2, retryBackoff: true, timeoutSeconds: 60 * 60 },
  handler: async (job) => {
    const data = parseWith(jobData, job.data, `${TASK_RUN_JOB} job data`);
    const runtime = await executionRuntime(job, data.home);
    const outcome = await runTask(runtime, data.taskId, {
      claimant: workerActor(),
      jobId: job.id,
      retry: true,
      signal: job.signal,
      logger: job.logger,
    });
    if (outcome.kind === 'skipped') return { task: outcome.task.ref, skipped: outcome.reason };
    if (outcome.willRetry) {
      throw new BosunError(
        'AGENT_FAILED',
        `attempt ${outcome.run.attempt} of ${outcome.task.ref} failed: ${outcome.envelope.error?.message ?? outcome.envelope.summary}`,
        {
          details: { retryable: true },
        },
      );
    }
    return { task: outcome.task.ref, status: outcome.task.status };
  },
};

/** The PM's job types, run by `bosun worker`. */
export const pmJobTypes: readonly JobType<never>[] = [taskRunJobType];

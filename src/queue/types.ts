import type { Logger } from '../core/index.js';
import type { Pool } from '../db/index.js';
import type { JobQueue } from './queue.js';

export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
  /** 0 on the first try, then 1, 2, … */
  retryCount: number;
  /** Aborted when the job's timeout passes or the worker shuts down. */
  signal: AbortSignal;
  logger: Logger;
  /** The worker's own connections: a handler works on the database the worker was started on, without connecting again. */
  pool: Pool;
  /** The queue the job came from, to send follow-up jobs on. */
  queue: JobQueue;
}

export interface JobTypeOptions {
  /** Tries after the first failure (default 2). */
  retryLimit?: number;
  /** Seconds before the first retry (default 1); doubled each time with retryBackoff. */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** A job running longer is aborted and failed (retried per retryLimit). Default 15 min. */
  timeoutSeconds?: number;
  /** pg-boss queue policy: 'singleton' allows one active job, 'stately' one queued and one active. */
  policy?: 'standard' | 'singleton' | 'stately';
}

/** A kind of job: later layers declare theirs (docs sync, agent runs, …) and `bosun worker` runs them. */
export interface JobType<T = unknown> {
  name: string;
  options?: JobTypeOptions;
  handler: (job: JobContext<T>) => Promise<unknown>;
}

export interface SendOptions {
  /**
   * Deduplication key, enforced by the queue's policy: 'stately' keeps one queued and one active
   * job per key, 'singleton' one active; a 'standard' queue ignores it.
   */
  singletonKey?: string;
  startAfterSeconds?: number;
  priority?: number;
  retryLimit?: number;
  timeoutSeconds?: number;
}

/** What a job sent in a batch may set (deduplication and delays are for single sends). */
export type BatchSendOptions = Pick<SendOptions, 'priority' | 'retryLimit' | 'timeoutSeconds'>;

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  retryCount: number;
  data: unknown;
  output: unknown;
}

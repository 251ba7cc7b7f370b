export { JobQueue, WAKE_CHANNEL, type OpenQueueOptions } from './queue.js';
export { QueueWorker, liveWorkers, type WorkerOptions } from './worker.js';
export { queueMigrations } from './migrations.js';
export { testJobTypes } from './test-jobs.js';
export type { JobType, JobTypeOptions, JobContext, SendOptions, BatchSendOptions, JobInfo, JobState } from './types.js';

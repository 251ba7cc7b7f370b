import type { Migration } from '../db/index.js';

/**
 * pg-boss owns schema `pgboss`. We add the lease table: which live worker process holds which
 * active job, so that the jobs of a worker that died (kill -9) are failed and retried quickly.
 */
export const queueMigrations: Migration[] = [
  {
    id: 'queue/001_job_lease',
    sql: `
CREATE TABLE bosun.job_lease (
  job_id     uuid PRIMARY KEY,
  queue      text NOT NULL,
  process_id uuid NOT NULL REFERENCES bosun.process (id) ON DELETE CASCADE,
  leased_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX job_lease_process_idx ON bosun.job_lease (process_id);`,
  },
];

import type { Migration } from './migrate.js';

/** The db layer's own tables: the registry of running Bosun processes (workers). */
export const dbMigrations: Migration[] = [
  {
    id: 'db/001_process',
    sql: `
CREATE TABLE bosun.process (
  id           uuid PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('worker', 'mcp')),
  hostname     text NOT NULL,
  pid          integer NOT NULL,
  concurrency  integer,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at   timestamptz
);
CREATE INDEX process_live_idx ON bosun.process (kind, heartbeat_at) WHERE stopped_at IS NULL;`,
  },
];

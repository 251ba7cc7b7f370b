import type { Migration } from '../db/index.js';

/**
 * The agents layer's tables: the registry as last synced from the manifests (agents and their
 * skills), and per agent × skill statistics learned from runs, which routing reads.
 */
export const agentsMigrations: Migration[] = [
  {
    id: 'agents/001_registry',
    sql: `
CREATE TABLE bosun.agent (
  id                  text PRIMARY KEY,
  name                text NOT NULL,
  tier                text NOT NULL CHECK (tier IN ('task', 'domain', 'general')),
  description         text NOT NULL,
  version             text NOT NULL,
  executor_kind       text NOT NULL CHECK (executor_kind IN ('builtin', 'command', 'assistant')),
  source              text NOT NULL CHECK (source IN ('builtin', 'user')),
  source_file         text NOT NULL,
  manifest            jsonb NOT NULL,
  available           boolean NOT NULL,
  unavailable_reasons text[] NOT NULL DEFAULT '{}',
  -- false once its manifest is gone: the row stays for the runs and statistics that name it
  active              boolean NOT NULL DEFAULT true,
  synced_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bosun.agent_skill (
  agent_id      text NOT NULL REFERENCES bosun.agent (id) ON DELETE CASCADE,
  skill_id      text NOT NULL,
  name          text NOT NULL,
  description   text NOT NULL,
  tags          text[] NOT NULL,
  examples      text[] NOT NULL,
  accepts       text[] NOT NULL,
  input_schema  jsonb NOT NULL,
  output_schema jsonb NOT NULL,
  available     boolean NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  PRIMARY KEY (agent_id, skill_id)
);
CREATE INDEX agent_skill_skill_idx ON bosun.agent_skill (skill_id) WHERE active;

CREATE TABLE bosun.agent_skill_stats (
  agent_id            text NOT NULL,
  skill_id            text NOT NULL,
  runs                integer NOT NULL DEFAULT 0,
  successes           integer NOT NULL DEFAULT 0,
  -- the most recent durations (at most 101), from which p50 is recomputed on every run
  recent_durations_ms integer[] NOT NULL DEFAULT '{}',
  p50_duration_ms     integer,
  last_run_at         timestamptz,
  PRIMARY KEY (agent_id, skill_id),
  FOREIGN KEY (agent_id, skill_id) REFERENCES bosun.agent_skill (agent_id, skill_id) ON DELETE CASCADE
);`,
  },
  {
    // The language-model executor (kind llm) joins builtin, command and assistant.
    id: 'agents/002_executor_kind_llm',
    sql: `
ALTER TABLE bosun.agent DROP CONSTRAINT agent_executor_kind_check;
ALTER TABLE bosun.agent ADD CONSTRAINT agent_executor_kind_check
  CHECK (executor_kind IN ('builtin', 'command', 'assistant', 'llm'));`,
  },
  {
    id: 'agents/003_infra_schedules',
    // The infra agent's recurring jobs (a sandboxed command, or a task raised in a project) and
    // every run of them, which infra.monitor and `bosun schedules list` read for their health.
    sql: `
CREATE TABLE bosun.infra_schedule (
  id               text PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  cron             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('command', 'task')),
  command          text[],
  task_template    jsonb,
  project          text,
  timeout_seconds  integer NOT NULL,
  memory_mb        integer NOT NULL,
  allow_network    boolean NOT NULL DEFAULT false,
  enabled          boolean NOT NULL DEFAULT true,
  last_enqueued_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'command') = (command IS NOT NULL)),
  CHECK ((kind = 'task') = (task_template IS NOT NULL AND project IS NOT NULL))
);

CREATE TABLE bosun.infra_schedule_run (
  id           bigserial PRIMARY KEY,
  schedule_id  text NOT NULL REFERENCES bosun.infra_schedule (id) ON DELETE CASCADE,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  duration_ms  integer,
  exit_code    integer,
  -- the error, the output's tail, or the task raised
  detail       text,
  task_ref     text,
  isolation    text
);
CREATE INDEX infra_schedule_run_recent ON bosun.infra_schedule_run (schedule_id, started_at DESC);`,
  },
];

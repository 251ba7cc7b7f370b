import type { Migration } from '../db/index.js';

/**
 * The project manager's tables. A task is the intent, a run is one attempt at it; the event
 * table is the append-only history that the documentation phase and the UI read. Rows of an
 * archived project are deleted once the lake holds a verified copy (see archive.ts), so every
 * child table cascades from its project.
 */
export const pmMigrations: Migration[] = [
  {
    id: 'pm/001_project_manager',
    sql: `
CREATE TABLE bosun.project (
  id               uuid PRIMARY KEY,
  slug             text NOT NULL UNIQUE,
  name             text NOT NULL,
  client           text,
  brief            text,
  status           text NOT NULL DEFAULT 'planning'
                   CHECK (status IN ('planning', 'execution', 'documentation', 'archiving', 'archived', 'on_hold', 'cancelled')),
  -- the phase to return to on resume; set only while on hold
  held_from        text CHECK (held_from IN ('planning', 'execution', 'documentation')),
  template_id      text,
  template_version text,
  params           jsonb NOT NULL DEFAULT '{}',
  budget_hours     numeric(10, 2) CHECK (budget_hours >= 0),
  hourly_rate      numeric(10, 2) CHECK (hourly_rate >= 0),
  repo_path        text,
  document         text,
  document_at      timestamptz,
  -- where the verified archive lives while the working rows are gone
  archive          jsonb,
  next_task_number integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  due_on           date,
  finished_at      timestamptz,
  archived_at      timestamptz,
  CHECK ((status = 'on_hold') = (held_from IS NOT NULL)),
  CHECK (template_id IS NULL OR template_version IS NOT NULL)
);
CREATE INDEX project_status_idx ON bosun.project (status, updated_at DESC);

CREATE TABLE bosun.task (
  id               uuid PRIMARY KEY,
  project_id       uuid NOT NULL REFERENCES bosun.project (id) ON DELETE CASCADE,
  number           integer NOT NULL,
  parent_id        uuid REFERENCES bosun.task (id) ON DELETE CASCADE,
  step_key         text,
  title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  description      text,
  spec             jsonb NOT NULL DEFAULT '{}',
  skill            text,
  tags             text[] NOT NULL DEFAULT '{}',
  inputs           jsonb NOT NULL DEFAULT '{}',
  priority         integer NOT NULL DEFAULT 0,
  estimate_minutes integer CHECK (estimate_minutes > 0),
  status           text NOT NULL
                   CHECK (status IN ('blocked', 'ready', 'submitted', 'working', 'input-required',
                                     'completed', 'failed', 'canceled', 'rejected')),
  status_reason    text,
  -- set when the task was canceled because its dependencies can no longer satisfy its
  -- trigger rule, so that retrying the upstream task revives it
  canceled_by_upstream boolean NOT NULL DEFAULT false,
  trigger_rule     text NOT NULL DEFAULT 'all_success'
                   CHECK (trigger_rule IN ('all_success', 'all_done', 'one_success', 'none_failed')),
  attempts_allowed integer NOT NULL DEFAULT 3 CHECK (attempts_allowed BETWEEN 1 AND 100),
  attempts         integer NOT NULL DEFAULT 0,
  timeout_seconds  integer CHECK (timeout_seconds > 0),
  idempotency_key  text,
  cache_key        text NOT NULL,
  agent_id         text,
  route            jsonb,
  automatic        boolean NOT NULL DEFAULT false,
  claimed_by       text,
  result           jsonb,
  result_sha256    text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  ready_at         timestamptz,
  started_at       timestamptz,
  finished_at      timestamptz,
  UNIQUE (project_id, number),
  CHECK ((status = 'completed') = (result IS NOT NULL))
);
CREATE UNIQUE INDEX task_step_key_idx ON bosun.task (project_id, step_key) WHERE step_key IS NOT NULL;
CREATE UNIQUE INDEX task_idempotency_idx ON bosun.task (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX task_project_status_idx ON bosun.task (project_id, status);
CREATE INDEX task_parent_idx ON bosun.task (parent_id) WHERE parent_id IS NOT NULL;
-- claiming: the next ready task by priority, overall or in one project
CREATE INDEX task_ready_idx ON bosun.task (priority DESC, ready_at, number) WHERE status = 'ready';
CREATE INDEX task_ready_project_idx ON bosun.task (project_id, priority DESC, ready_at, number) WHERE status = 'ready';

CREATE TABLE bosun.task_edge (
  task_id       uuid NOT NULL REFERENCES bosun.task (id) ON DELETE CASCADE,
  depends_on_id uuid NOT NULL REFERENCES bosun.task (id) ON DELETE CASCADE,
  project_id    uuid NOT NULL REFERENCES bosun.project (id) ON DELETE CASCADE,
  PRIMARY KEY (task_id, depends_on_id),
  CHECK (task_id <> depends_on_id)
);
CREATE INDEX task_edge_upstream_idx ON bosun.task_edge (depends_on_id);

CREATE TABLE bosun.run (
  id            uuid PRIMARY KEY,
  task_id       uuid NOT NULL REFERENCES bosun.task (id) ON DELETE CASCADE,
  project_id    uuid NOT NULL REFERENCES bosun.project (id) ON DELETE CASCADE,
  attempt       integer NOT NULL CHECK (attempt >= 1),
  agent_id      text,
  agent_version text,
  skill         text,
  -- who holds the lease: 'worker:<process id>', or the person/assistant that claimed the task
  claimed_by    text NOT NULL,
  job_id        text,
  state         text NOT NULL
                CHECK (state IN ('submitted', 'working', 'input-required', 'completed', 'failed', 'canceled', 'rejected')),
  progress      jsonb,
  heartbeat_at  timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  envelope      jsonb,
  error         jsonb,
  wall_ms       integer,
  tokens        integer,
  cost          numeric(12, 4),
  UNIQUE (task_id, attempt),
  CHECK ((state IN ('submitted', 'working', 'input-required')) = (finished_at IS NULL))
);
CREATE INDEX run_project_idx ON bosun.run (project_id);

CREATE TABLE bosun.artifact (
  id         uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES bosun.project (id) ON DELETE CASCADE,
  task_id    uuid NOT NULL REFERENCES bosun.task (id) ON DELETE CASCADE,
  run_id     uuid REFERENCES bosun.run (id) ON DELETE CASCADE,
  name       text NOT NULL,
  media_type text NOT NULL,
  uri        text,
  inline     text,
  sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes      bigint NOT NULL CHECK (bytes >= 0),
  -- where it came from: the inputs' artifacts and the task that made it
  lineage    jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (task_id, name),
  CHECK (uri IS NOT NULL OR inline IS NOT NULL)
);
CREATE INDEX artifact_project_idx ON bosun.artifact (project_id);

CREATE TABLE bosun.handoff (
  id              uuid PRIMARY KEY,
  project_id      uuid NOT NULL REFERENCES bosun.project (id) ON DELETE CASCADE,
  from_run_id     uuid REFERENCES bosun.run (id) ON DELETE CASCADE,
  from_task_id    uuid NOT NULL REFERENCES bosun.task (id) ON DELETE CASCADE,
  to_task_id      uuid NOT NULL REFERENCES bosun.task (id) ON DELETE CASCADE,
  skill           text NOT NULL,
  reason          text NOT NULL,
  context_summary text,
  artifact_ids    uuid[] NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handoff_from_task_idx ON bosun.handoff (from_task_id);

CREATE TABLE bosun.note (
  id         uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES bosun.project (id) ON DELETE CASCADE,
  task_id    uuid REFERENCES bosun.task (id) ON DELETE CASCADE,
  kind       text NOT NULL CHECK (kind IN ('note', 'decision', 'lesson', 'issue', 'progress')),
  body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  author     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX note_project_idx ON bosun.note (project_id, created_at);
CREATE INDEX note_task_idx ON bosun.note (task_id) WHERE task_id IS NOT NULL;

CREATE TABLE bosun.event (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES bosun.project (id) ON DELETE CASCADE,
  task_id    uuid REFERENCES bosun.task (id) ON DELETE CASCADE,
  run_id     uuid REFERENCES bosun.run (id) ON DELETE CASCADE,
  kind       text NOT NULL,
  actor      text NOT NULL,
  data       jsonb NOT NULL DEFAULT '{}',
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_project_idx ON bosun.event (project_id, id);
CREATE INDEX event_task_idx ON bosun.event (task_id, id) WHERE task_id IS NOT NULL;

-- The history is append-only: rows are never edited. Deleting is left to archiving, which
-- removes a project's rows only after the lake holds a verified copy.
CREATE FUNCTION bosun.event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'bosun.event is append-only';
END $$;
CREATE TRIGGER event_no_update BEFORE UPDATE ON bosun.event
  FOR EACH ROW EXECUTE FUNCTION bosun.event_is_append_only();`,
  },
];

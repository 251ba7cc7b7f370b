import type { Migration } from '../../db/index.js';

/**
 * Documentation metadata in PostgreSQL: what changes often and is queried relationally.
 * The corpus itself (pages' markdown, chunks) lives in the lake (see docs/store).
 *
 * - A library has ordered sources; a lower position wins a page that several sources provide.
 * - `default_version` is the version default search uses, recomputed after every sync and
 *   deprecation; `pinned_version` is the user's own choice (`--default-version`), which wins
 *   while it exists and is not deprecated.
 * - A page row exists for every page the last sync saw, fetched or failed. `content_hash` is
 *   set when the lake holds the page; a failed re-fetch keeps the earlier copy (and its hash).
 * - Links keep the href as written so they can be re-resolved when the set of pages changes.
 */
export const docsMigrations: Migration[] = [
  {
    id: 'docs/001_library',
    sql: `
CREATE TABLE bosun.doc_library (
  name            text PRIMARY KEY,
  description     text,
  default_version text,
  pinned_version  text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bosun.doc_source (
  library  text NOT NULL REFERENCES bosun.doc_library (name) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  input    text NOT NULL,
  spec     jsonb NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library, position)
);

CREATE TABLE bosun.doc_version (
  library       text NOT NULL REFERENCES bosun.doc_library (name) ON DELETE CASCADE,
  version       text NOT NULL,
  deprecated_at timestamptz,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (library, version)
);

CREATE TABLE bosun.doc_page (
  library         text NOT NULL,
  version         text NOT NULL,
  path            text NOT NULL,
  page_id         text NOT NULL UNIQUE,
  source_position integer NOT NULL,
  url             text,
  title           text,
  content_hash    text,
  etag            text,
  last_modified   text,
  fetched_at      timestamptz NOT NULL,
  status          text NOT NULL CHECK (status IN ('ok', 'failed')),
  error           text,
  chunk_count     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (library, version, path),
  FOREIGN KEY (library, version) REFERENCES bosun.doc_version (library, version) ON DELETE CASCADE
);

CREATE TABLE bosun.doc_link (
  library        text NOT NULL,
  version        text NOT NULL,
  from_path      text NOT NULL,
  ordinal        integer NOT NULL,
  href           text NOT NULL,
  text           text NOT NULL,
  section_anchor text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('page', 'external', 'broken')),
  to_version     text,
  to_path        text,
  to_anchor      text,
  reason         text,
  PRIMARY KEY (library, version, from_path, ordinal),
  FOREIGN KEY (library, version, from_path) REFERENCES bosun.doc_page (library, version, path) ON DELETE CASCADE
);
CREATE INDEX doc_link_target_idx ON bosun.doc_link (library, to_version, to_path) WHERE kind = 'page';

CREATE TABLE bosun.doc_sync_run (
  id          uuid PRIMARY KEY,
  library     text NOT NULL REFERENCES bosun.doc_library (name) ON DELETE CASCADE,
  status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  snapshot_id bigint,
  summary     jsonb,
  error       jsonb
);
CREATE INDEX doc_sync_run_library_idx ON bosun.doc_sync_run (library, started_at DESC);

-- library NULL = every library (docs schedule --all).
CREATE TABLE bosun.doc_schedule (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  library          text REFERENCES bosun.doc_library (name) ON DELETE CASCADE,
  cron             text NOT NULL,
  last_enqueued_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX doc_schedule_target_idx ON bosun.doc_schedule ((coalesce(library, '')));`,
  },
  {
    // Who runs a sync and when it last showed life: a run whose owner died is `interrupted`.
    id: 'docs/002_sync_run_owner',
    sql: `
ALTER TABLE bosun.doc_sync_run
  ADD COLUMN owner_pid    integer,
  ADD COLUMN owner_host   text,
  ADD COLUMN heartbeat_at timestamptz;
ALTER TABLE bosun.doc_sync_run DROP CONSTRAINT doc_sync_run_status_check;
ALTER TABLE bosun.doc_sync_run
  ADD CONSTRAINT doc_sync_run_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted'));`,
  },
];

import type { Migration } from '../../db/index.js';

/**
 * The agents' access pattern: one row per search, read or outline served (which library, what
 * was asked, what came back). Written in batches by AccessLog, read by whoever studies what
 * assistants look up (and what they look up in vain: `hits = 0`).
 */
export const docsSearchMigrations: Migration[] = [
  {
    id: 'search/001_access_log',
    sql: `
CREATE TABLE bosun.doc_access (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('search', 'read', 'outline')),
  libraries  text[] NOT NULL,
  versions   text[] NOT NULL,
  query      text,
  target     text,
  hits       integer NOT NULL,
  chunk_ids  text[] NOT NULL,
  paths      text[] NOT NULL,
  client     text,
  took_ms    real NOT NULL
);
CREATE INDEX doc_access_at_idx ON bosun.doc_access (at);
CREATE INDEX doc_access_libraries_idx ON bosun.doc_access USING gin (libraries);`,
  },
];

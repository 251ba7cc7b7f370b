import path from 'node:path';
import type pg from 'pg';
import { BosunError, silentLogger, type Logger } from '../core/index.js';
import { withTransaction } from '../db/index.js';
import { globalMetadata, SPEC_VERSION } from './catalog.js';
import { Lake } from './lake.js';
import { normalizeDataPath } from './paths.js';
import { SchemaCache } from './session.js';
import { uuid7 } from './uuid7.js';

export interface OpenLakeOptions {
  pool: pg.Pool;
  /** Where data files live. Required to initialise a new lake; must match an existing one's. */
  dataPath?: string;
  logger?: Logger;
}

// Any fixed 64-bit key: "bosun-lk" in ASCII.
const INIT_LOCK_KEY = '7093014886328659051';

/**
 * Opens the lake whose catalog is the `ducklake` schema reachable through `pool` (created by
 * the lake migration, or by the official extension). The first open initialises it, as the
 * extension does on its first ATTACH: snapshot 0 creating schema `main`, and the metadata.
 */
export async function openLake(options: OpenLakeOptions): Promise<Lake> {
  const logger = options.logger ?? silentLogger;
  const present = await options.pool.query<{ present: boolean }>(
    `SELECT to_regclass('ducklake.ducklake_snapshot') IS NOT NULL AS present`,
  );
  if (!present.rows[0]?.present) {
    throw new BosunError('LAKE_ERROR', 'the database has no lake catalog (schema ducklake)', {
      hint: 'apply migrations first (`bosun up`)',
    });
  }
  const given = options.dataPath === undefined ? undefined : normalizeDataPath(options.dataPath);
  await initialise(options.pool, given, logger);
  const metadata = await globalMetadata(options.pool);
  const version = metadata.get('version');
  if (version !== SPEC_VERSION) {
    throw new BosunError(
      'UNSUPPORTED',
      `the lake catalog is DuckLake ${version ?? '(no version)'}; Bosun reads and writes DuckLake ${SPEC_VERSION}`,
      {
        hint: 'migrate the catalog with the official extension (it upgrades on ATTACH)',
      },
    );
  }
  if (metadata.get('encrypted') === 'true')
    throw new BosunError('UNSUPPORTED', 'the lake is encrypted, which Bosun does not support');
  const dataPath = resolveDataPath(metadata.get('data_path'), given);
  return new Lake(
    { pool: options.pool, dataPath, logger, schemas: new SchemaCache() },
    { requireCommitMessage: metadata.get('require_commit_message') === 'true' },
  );
}

/** Snapshot 0 and the metadata, once, however many processes open the lake at the same moment. */
async function initialise(pool: pg.Pool, dataPath: string | undefined, logger: Logger): Promise<void> {
  const exists = await pool.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ducklake.ducklake_snapshot) AS found`,
  );
  if (exists.rows[0]?.found) return;
  if (dataPath === undefined)
    throw new BosunError('INVALID_INPUT', 'the lake is new: a data path is needed to initialise it');
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [INIT_LOCK_KEY]);
    const again = await client.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ducklake.ducklake_snapshot) AS found`,
    );
    if (again.rows[0]?.found) return;
    logger.info({ dataPath }, 'initialising the lake catalog');
    const metadata: [string, string][] = [
      ['version', SPEC_VERSION],
      ['created_by', 'Bosun'],
      ['data_path', dataPath],
      ['encrypted', 'false'],
      ['data_inlining_row_limit', '0'],
    ];
    await client.query(
      `INSERT INTO ducklake.ducklake_metadata (key, value, scope, scope_id)
       SELECT key, value, NULL, NULL FROM unnest($1::varchar[], $2::varchar[]) AS m(key, value)
        WHERE NOT EXISTS (SELECT 1 FROM ducklake.ducklake_metadata d WHERE d.key = m.key AND d.scope IS NULL)`,
      [metadata.map(([k]) => k), metadata.map(([, v]) => v)],
    );
    await client.query(
      `INSERT INTO ducklake.ducklake_snapshot (snapshot_id, snapshot_time, schema_version, next_catalog_id, next_file_id)
       VALUES (0, now(), 0, 1, 0)`,
    );
    await client.query(
      `INSERT INTO ducklake.ducklake_schema (schema_id, schema_uuid, begin_snapshot, end_snapshot, schema_name, path, path_is_relative)
       VALUES (0, $1, 0, NULL, 'main', 'main/', true)`,
      [uuid7()],
    );
    await client.query(
      `INSERT INTO ducklake.ducklake_snapshot_changes (snapshot_id, changes_made, author, commit_message, commit_extra_info)
       VALUES (0, 'created_schema:"main"', NULL, NULL, NULL)`,
    );
  });
}

/**
 * The data path to use. A relative stored path (the extension allows one) is relative to the
 * directory of whoever attaches, so the caller's path wins; an absolute one must agree with it.
 */
function resolveDataPath(stored: string | undefined, given: string | undefined): string {
  if (stored === undefined)
    throw new BosunError('LAKE_ERROR', 'the lake catalog has no data_path in ducklake_metadata');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(stored)) {
    throw new BosunError(
      'UNSUPPORTED',
      `the lake's data path ${stored} is not a local path; Bosun reads and writes local files only`,
    );
  }
  if (!path.isAbsolute(stored)) return given ?? normalizeDataPath(stored);
  const normalized = normalizeDataPath(stored);
  if (given !== undefined && given !== normalized) {
    throw new BosunError('CONFLICT', `the lake's data path is ${normalized}, but ${given} is configured`, {
      hint: `set lake.dataPath to ${normalized} (or move the files and update ducklake_metadata)`,
    });
  }
  return normalized;
}

import type pg from 'pg';
import { BosunError, sha256, silentLogger, type Logger } from '../core/index.js';

/**
 * A forward-only migration. Each layer owns its list; ids are `<layer>/<NNN>_<name>` and are
 * applied in the order given (layers in dependency order, then by number).
 */
export interface Migration {
  id: string;
  sql: string;
}

export interface MigrationStatus {
  applied: number;
  total: number;
  latest: string | null;
  pending: string[];
}

// Any fixed 64-bit key works; this one is "bosun-mi" in ASCII.
const LOCK_KEY = '7021781236438951273';

const LEDGER = `
CREATE SCHEMA IF NOT EXISTS bosun;
CREATE TABLE IF NOT EXISTS bosun.schema_migration (
  id         text PRIMARY KEY,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`;

function checkIds(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (!/^[a-z]+\/\d{3}_[a-z0-9_]+$/.test(m.id))
      throw new BosunError('MIGRATION_FAILED', `bad migration id '${m.id}'`);
    if (seen.has(m.id)) throw new BosunError('MIGRATION_FAILED', `duplicate migration id '${m.id}'`);
    seen.add(m.id);
  }
}

async function appliedChecksums(client: pg.ClientBase): Promise<Map<string, string>> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('bosun.schema_migration') AS t`);
  if (!exists.rows[0]?.t) return new Map();
  const res = await client.query<{ id: string; checksum: string }>('SELECT id, checksum FROM bosun.schema_migration');
  return new Map(res.rows.map((r) => [r.id, r.checksum]));
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock so
 * that concurrent starters apply each migration exactly once. An applied migration whose text
 * changed is an error: migrations are forward-only.
 */
export async function migrate(
  pool: pg.Pool,
  migrations: readonly Migration[],
  logger: Logger = silentLogger,
): Promise<MigrationStatus> {
  checkIds(migrations);
  const client = await pool.connect();
  try {
    // Every command calls this: when everything is applied already, say so from one read,
    // without the lock and the ledger's DDL.
    const current = await appliedChecksums(client);
    if (migrations.every((m) => current.get(m.id) === sha256(m.sql))) return statusOf(current, migrations);
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(LEDGER);
      const applied = await appliedChecksums(client);
      for (const m of migrations) {
        const checksum = sha256(m.sql);
        const prior = applied.get(m.id);
        if (prior !== undefined) {
          if (prior !== checksum) {
            throw new BosunError('MIGRATION_FAILED', `migration ${m.id} was changed after it was applied`, {
              hint: 'migrations are forward-only: add a new migration instead of editing an applied one',
            });
          }
          continue;
        }
        logger.info({ migration: m.id }, 'applying migration');
        try {
          await client.query('BEGIN');
          await client.query(m.sql);
          await client.query('INSERT INTO bosun.schema_migration (id, checksum) VALUES ($1, $2)', [m.id, checksum]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new BosunError('MIGRATION_FAILED', `migration ${m.id} failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return migrationStatus(pool, migrations);
}

export async function migrationStatus(pool: pg.Pool, migrations: readonly Migration[]): Promise<MigrationStatus> {
  const client = await pool.connect();
  try {
    return statusOf(await appliedChecksums(client), migrations);
  } finally {
    client.release();
  }
}

function statusOf(applied: Map<string, string>, migrations: readonly Migration[]): MigrationStatus {
  const pending = migrations.filter((m) => !applied.has(m.id)).map((m) => m.id);
  const done = migrations.filter((m) => applied.has(m.id));
  return { applied: applied.size, total: migrations.length, latest: done.at(-1)?.id ?? null, pending };
}

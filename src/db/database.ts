import type pg from 'pg';
import { BosunError, isBosunError, silentLogger, type LoadedConfig, type Logger } from '../core/index.js';
import { ensureEmbeddedServer, type EmbeddedState } from './embedded.js';
import { migrate, type Migration, type MigrationStatus } from './migrate.js';
import { createPool, unreachable } from './pool.js';

export type DatabaseMode = 'embedded' | 'external';

export interface DatabaseTarget {
  mode: DatabaseMode;
  url: string;
  embedded?: EmbeddedState;
}

/** External when `database.url` / BOSUN_DATABASE_URL is set (never starts a server); else embedded, started on demand. */
export async function resolveDatabase(loaded: LoadedConfig, logger: Logger = silentLogger): Promise<DatabaseTarget> {
  const external = loaded.config.database.url;
  if (external) return { mode: 'external', url: external };
  const server = await ensureEmbeddedServer(loaded.paths, { port: loaded.config.postgres.port, logger });
  return { mode: 'embedded', url: server.url, embedded: server.state };
}

export interface Database {
  target: DatabaseTarget;
  pool: pg.Pool;
  migrations: MigrationStatus;
  close(): Promise<void>;
}

/** Connects (starting the embedded server if needed), checks the server version, and migrates. */
export async function openDatabase(
  loaded: LoadedConfig,
  migrations: readonly Migration[],
  logger: Logger = silentLogger,
): Promise<Database> {
  const target = await resolveDatabase(loaded, logger);
  const pool = createPool(target.url, { max: loaded.config.database.poolSize, logger });
  try {
    await assertServerVersion(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw isBosunError(err) ? err : unreachable(target.url, err);
  }
  const status = await migrate(pool, migrations, logger).catch(async (err: unknown) => {
    await pool.end().catch(() => undefined);
    throw err;
  });
  return { target, pool, migrations: status, close: () => pool.end() };
}

export async function serverVersion(pool: pg.Pool): Promise<{ version: string; major: number }> {
  const res = await pool.query<{ server_version: string; num: string }>(
    `SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num`,
  );
  const row = res.rows[0]!;
  return { version: row.server_version, major: Math.floor(Number(row.num) / 10000) };
}

async function assertServerVersion(pool: pg.Pool): Promise<void> {
  const { version, major } = await serverVersion(pool);
  if (major < 15) {
    throw new BosunError('DB_UNAVAILABLE', `PostgreSQL ${version} is too old: Bosun needs 15 or newer`, {
      hint: 'point BOSUN_DATABASE_URL at PostgreSQL >= 15, or unset it to use the embedded server',
    });
  }
}

import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool, migrate, type Pool } from '../../src/db/index.js';
import { allMigrations } from '../../src/migrations.js';

export interface TestDatabase {
  /** Connection URL of this test file's own database. */
  url: string;
  name: string;
  pool: Pool;
  /** Drops the database (call in afterAll). */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh database on the run's server, migrated with every layer's migrations unless told not to. */
export async function createTestDatabase(
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<TestDatabase> {
  const admin = inject('databaseUrl');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = withDatabase(admin, name);
  const pool = createPool(url, { max: options.poolSize ?? 10 });
  if (options.migrate !== false) await migrate(pool, allMigrations);
  return {
    url,
    name,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, openAgentRegistry, type AgentRegistry } from '../../src/agents/index.js';
import { bosunPaths, configSchema } from '../../src/core/index.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

interface Finding {
  kind: string;
  relation?: string;
  message: string;
  suggestion: string;
}

/** Each finding on a PostgreSQL table built to cause it, then gone once its suggestion is applied. */
describe('sql.explain', () => {
  let db: TestDatabase;
  let registry: AgentRegistry;
  let home: string;

  const explain = async (input: Record<string, unknown>) => {
    const envelope = await executeAgent({
      registry,
      agentId: 'sql',
      skillId: 'sql.explain',
      input: { engine: 'postgres', ...input },
      workDir: fs.mkdtempSync(path.join(home, 'run-')),
      noCache: true,
    });
    expect(envelope.status, JSON.stringify(envelope.error)).toBe('completed');
    return envelope.outputs as { findings: Finding[]; plan: unknown };
  };
  const ofKind = (findings: Finding[], kind: string) => findings.filter((f) => f.kind === kind);
  /** Applies a finding's suggestion: its first statement, as a person would paste it. */
  const apply = async (finding: Finding, ...analyze: string[]) => {
    await db.pool.query(finding.suggestion.split(';')[0]!);
    for (const t of analyze) await db.pool.query(`ANALYZE ${t}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-explain-'));
    registry = await openAgentRegistry({
      pool: db.pool,
      paths: bosunPaths(home),
      endpoints: {},
      config: configSchema.parse({}),
    });
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('finds a sequential scan of a large table under a selective filter, and names the index that serves it', async () => {
    await db.pool.query(
      `CREATE TABLE orders_big AS SELECT g AS id, g % 5000 AS customer_id FROM generate_series(1, 60000) g`,
    );
    await db.pool.query('ANALYZE orders_big');
    const sql = 'SELECT * FROM orders_big WHERE customer_id = 42';
    const [finding, ...rest] = ofKind((await explain({ sql })).findings, 'seq_scan_selective');
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ relation: 'orders_big', suggestion: 'CREATE INDEX ON orders_big (customer_id);' });
    await apply(finding!, 'orders_big');
    expect(ofKind((await explain({ sql })).findings, 'seq_scan_selective')).toEqual([]);
  });

  it('finds row estimates off by 10x or more (ANALYZE), gone with statistics on the correlated columns', async () => {
    await db.pool.query(`CREATE TABLE skew AS SELECT g % 20 AS a, g % 20 AS b FROM generate_series(1, 50000) g`);
    await db.pool.query('ANALYZE skew');
    const sql = 'SELECT * FROM skew WHERE a = 1 AND b = 1';
    const [finding] = ofKind((await explain({ sql, analyze: true })).findings, 'misestimate');
    expect(finding!.message).toMatch(/estimated at \d+ rows and returned 2500/);
    expect(finding!.suggestion).toContain('CREATE STATISTICS');
    await db.pool.query('CREATE STATISTICS skew_ab (dependencies) ON a, b FROM skew');
    await db.pool.query('ANALYZE skew');
    expect(ofKind((await explain({ sql, analyze: true })).findings, 'misestimate')).toEqual([]);
  });

  it('finds a sort spilling to disk, gone with the work_mem it suggests', async () => {
    await db.pool.query(
      `CREATE TABLE wide AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 100000) g`,
    );
    await db.pool.query('ANALYZE wide');
    const sql = 'SELECT * FROM wide ORDER BY payload';
    const [finding] = ofKind((await explain({ sql, analyze: true, settings: { work_mem: '1MB' } })).findings, 'spill');
    expect(finding!.message).toMatch(/sort spilled to disk \(external/);
    const workMem = /work_mem: '(\d+MB)'/.exec(finding!.suggestion)![1]!;
    expect(ofKind((await explain({ sql, analyze: true, settings: { work_mem: workMem } })).findings, 'spill')).toEqual(
      [],
    );
  });

  it('finds a nested loop over large inputs, gone with the index it suggests', async () => {
    await db.pool.query(`CREATE TABLE lefts AS SELECT g AS k FROM generate_series(1, 3000) g`);
    await db.pool.query(`CREATE TABLE rights AS SELECT g AS k FROM generate_series(1, 30000) g`);
    await db.pool.query('ANALYZE lefts; ANALYZE rights');
    const sql = 'SELECT count(*) FROM lefts l JOIN rights r ON r.k <= l.k AND r.k >= l.k';
    const [finding] = ofKind((await explain({ sql })).findings, 'nested_loop_large');
    expect(finding!.message).toMatch(/nested loop scans (lefts|rights)/);
    expect(finding!.suggestion).toMatch(/^CREATE INDEX ON (lefts|rights) \(k\);/);
    await apply(finding!, 'lefts', 'rights');
    expect(ofKind((await explain({ sql })).findings, 'nested_loop_large')).toEqual([]);
  });

  it('finds a function applied to an indexed column, gone with the expression index it suggests', async () => {
    await db.pool.query(
      `CREATE TABLE people AS SELECT g AS id, 'User' || g || '@example.com' AS email FROM generate_series(1, 50000) g`,
    );
    await db.pool.query('CREATE INDEX ON people (email)');
    await db.pool.query('ANALYZE people');
    const sql = `SELECT id FROM people WHERE lower(email) = 'user42@example.com'`;
    const before = await explain({ sql });
    const [finding] = ofKind(before.findings, 'function_on_indexed_column');
    expect(finding!.message).toContain('people.email is indexed, but the filter applies lower()');
    expect(finding!.suggestion).toMatch(/^CREATE INDEX ON people \(lower\(email\)\);/);
    await apply(finding!, 'people');
    const after = await explain({ sql });
    expect(ofKind(after.findings, 'function_on_indexed_column')).toEqual([]);
    expect(JSON.stringify(after.plan)).toMatch(/Index/);
  });

  it('refuses to explain a write, and explains DuckDB queries as text', async () => {
    const refused = await executeAgent({
      registry,
      agentId: 'sql',
      skillId: 'sql.explain',
      input: { engine: 'postgres', sql: 'DELETE FROM wide', analyze: true },
      workDir: fs.mkdtempSync(path.join(home, 'run-')),
    });
    expect(refused.error!.code).toBe('WRITE_REFUSED');
    expect(Number((await db.pool.query('SELECT count(*) AS n FROM wide')).rows[0].n)).toBe(100000);
    const duck = await explain({ engine: 'duckdb', sql: 'SELECT sum(range) FROM range(1000)', analyze: true });
    expect(String(duck.plan)).toMatch(/RANGE|range/);
  });
});

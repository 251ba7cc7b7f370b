import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { openLake } from '../../src/lake/index.js';
import { bosunBin, repoRoot, runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** The ETL template on a real CSV, run by a real `bosun worker`: no assistant involved. */
describe('the ETL template, end to end through bosun worker', () => {
  let db: TestDatabase;
  let home: string;
  let data: string;
  const stopWorker = new AbortController();
  let worker: Promise<unknown>;
  const bosun = (...args: string[]) => runBosun([...args, '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });

  const steps = async (slug: string) => {
    const res = await db.pool.query<{ key: string; number: number; status: string }>(
      `SELECT t.step_key AS key, t.number, t.status FROM bosun.task t JOIN bosun.project p ON p.id = t.project_id
        WHERE p.slug = $1 ORDER BY t.number`,
      [slug],
    );
    return Object.fromEntries(res.rows.map((r) => [r.key, r]));
  };
  const waitFor = async <T>(what: string, fn: () => Promise<T | false>, ms = 90_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const start = async (slug: string, csv: string) => {
    const created = await bosun(
      'project',
      'new',
      slug,
      '--template',
      'etl-pipeline',
      '--param',
      `source_uri=${pathToFileURL(path.join(data, csv)).href}`,
      '--param',
      `target_table=shop.${slug.replace(/-/g, '_')}`,
      '--param',
      'transform_sql=SELECT id, upper(customer) AS customer, amount FROM source',
      '--param',
      `rules_file=${path.join(data, 'rules.yaml')}`,
    );
    expect(created.exitCode, created.stderr).toBe(0);
    const advanced = await bosun('project', 'advance', slug);
    expect(advanced.exitCode, advanced.stderr).toBe(0);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-etl-'));
    data = path.join(home, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'orders.csv'), 'id,customer,amount\n1,ada,10.5\n2,bob,20\n3,cy,7\n');
    fs.writeFileSync(path.join(data, 'orders-bad.csv'), 'id,customer,amount\n1,ada,10.5\n2,bob,-20\n3,cy,7\n');
    fs.writeFileSync(
      path.join(data, 'rules.yaml'),
      'rules:\n  - unique: id\n  - not_null: [id, customer]\n  - range: { column: amount, min: 0 }\n    name: amounts are not negative\n',
    );
    worker = runCommand(process.execPath, [bosunBin, 'worker', '--concurrency', '2'], {
      env: { BOSUN_HOME: home, BOSUN_DATABASE_URL: db.url, BOSUN_LOG_LEVEL: 'warn' },
      cwd: repoRoot,
      timeoutMs: 0,
      signal: stopWorker.signal,
    }).catch(() => undefined);
  });
  afterAll(async () => {
    stopWorker.abort();
    await worker;
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('ingests, transforms, checks and loads a clean CSV, with lineage in task show', async () => {
    await start('etl-good', 'orders.csv');
    const done = await waitFor('the load to complete', async () => {
      const s = await steps('etl-good');
      if (s['dq.check']?.status === 'failed') throw new Error('the quality check failed on clean data');
      return s.load?.status === 'completed' && s;
    });
    for (const key of ['extract', 'synth.generate', 'synth.validate', 'transform', 'dq.profile', 'dq.check'])
      expect(done[key]!.status, key).toBe('completed');
    // Nothing waits for a person: the deployment plan (for a person to carry out) and the
    // handbook are written by their agents too.
    const finished = await waitFor('the handbook to be written', async () => {
      const s = await steps('etl-good');
      for (const key of ['schedule', 'handbook'])
        if (['failed', 'rejected', 'canceled'].includes(s[key]!.status))
          throw new Error(`${key} ended ${s[key]!.status}`);
      return s.handbook?.status === 'completed' && s;
    });
    expect(finished.schedule!.status).toBe('completed');
    const plan = await bosun('task', 'show', `etl-good#${finished.schedule!.number}`);
    expect(plan.json.task.result.outputs).toMatchObject({ needsPerson: true });

    const lake = await openLake({ pool: db.pool });
    const scan = await lake.scan('shop.etl_good');
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    const rows = (await conn.runAndReadAll(`SELECT * FROM (${scan.sql}) ORDER BY id`)).getRowObjectsJson();
    conn.closeSync();
    duck.closeSync();
    expect(rows).toEqual([
      { id: '1', customer: 'ADA', amount: 10.5 },
      { id: '2', customer: 'BOB', amount: 20 },
      { id: '3', customer: 'CY', amount: 7 },
    ]);

    const shown = await bosun('task', 'show', `etl-good#${done.load!.number}`);
    const lineage = shown.json.artifacts.find((a: any) => a.name === 'lineage.json').lineage;
    const transformed = await lake.snapshots({ table: 'shop.etl_good_transformed' });
    expect(lineage.data.inputs).toEqual([
      expect.objectContaining({
        name: 'validated',
        table: 'shop.etl_good_transformed',
        snapshotId: transformed.at(-1)!.id,
      }),
    ]);
    // The handbook's library sync commits after the load, so the load's snapshot is the table's latest, not the lake's.
    const loaded = await lake.snapshots({ table: 'shop.etl_good' });
    expect(lineage.data.output).toMatchObject({ table: 'shop.etl_good', snapshotId: loaded.at(-1)!.id, rows: 3 });
    expect(lineage.upstream).toEqual(
      [`etl-good#${done.transform!.number}`, `etl-good#${done['dq.check']!.number}`].sort(),
    );
    const text = await runBosun(['task', 'show', `etl-good#${done.load!.number}`], {
      home,
      env: { BOSUN_DATABASE_URL: db.url },
    });
    expect(text.stdout).toContain(
      `data: shop.etl_good_transformed@${transformed.at(-1)!.id} → shop.etl_good@${loaded.at(-1)!.id}`,
    );
  }, 150_000);

  it('stops at the quality check when a bad row is planted, and the load waits', async () => {
    await start('etl-bad', 'orders-bad.csv');
    const s = await waitFor('the quality check to fail', async () => {
      const st = await steps('etl-bad');
      return st['dq.check']?.status === 'failed' && st;
    });
    expect(s.transform!.status).toBe('completed');
    const check = await bosun('task', 'show', `etl-bad#${s['dq.check']!.number}`);
    const results = check.json.runs.at(-1).envelope.outputs.results;
    expect(results.find((r: any) => r.name === 'amounts are not negative')).toMatchObject({
      passed: false,
      failingRows: 1,
    });
    // Give the worker time to (wrongly) run the load: the PM holds it back (it cancels what
    // depends on a failed task), so it never runs.
    await new Promise((r) => setTimeout(r, 3000));
    const after = await steps('etl-bad');
    expect(['blocked', 'canceled']).toContain(after.load!.status);
    const loadRuns = await db.pool.query(
      'SELECT count(*)::int AS n FROM bosun.run r JOIN bosun.task t ON t.id = r.task_id JOIN bosun.project p ON p.id = t.project_id WHERE p.slug = $1 AND t.step_key = $2',
      ['etl-bad', 'load'],
    );
    expect(loadRuns.rows[0].n).toBe(0);
    const lake = await openLake({ pool: db.pool });
    expect((await lake.tables()).map((t) => t.name)).not.toContain('shop.etl_bad');
  }, 150_000);
});

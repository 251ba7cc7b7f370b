import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** The built CLI (`npm run build` first) against this file's own database and home. */
describe('bosun lake', () => {
  let db: TestDatabase;
  let home: string;
  let csv: string;
  const bosun = (...args: string[]) => runBosun(args, { home, env: { BOSUN_DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-lake-cli-'));
    csv = path.join(home, 'people.csv');
    fs.writeFileSync(csv, 'id,name,score\n1,ann,0.5\n2,"bob, jr",1.25\n3,cy,\n');
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('imports a file as a new table in one snapshot, deletes from it, and lists snapshots and tables', async () => {
    const imported = await bosun('lake', 'import', 'crm.people', csv, '--create', '--message', 'first load', '--json');
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.json).toMatchObject({
      table: 'crm.people',
      rows: 3,
      snapshotId: 1,
      changes: 'created_schema:"crm",created_table:"crm"."people",inserted_into_table:2',
    });
    const deleted = await bosun('lake', 'delete', 'crm.people', '--where', `name = 'ann'`, '--json');
    expect(deleted.json).toEqual({ table: 'crm.people', snapshotId: 2, rows: 1 });

    const [snapshots, tables] = await Promise.all([
      bosun('lake', 'snapshots', '--table', 'crm.people', '--json'),
      bosun('lake', 'tables', '--json'),
    ]);
    expect(snapshots.json.snapshots.map((s: { id: number; message: string | null }) => [s.id, s.message])).toEqual([
      [1, 'first load'],
      [2, `delete where name = 'ann'`],
    ]);
    expect(snapshots.json.snapshots[0].author).toBe(os.userInfo().username);
    expect(tables.json.tables).toEqual([
      {
        name: 'crm.people',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'name', type: 'VARCHAR' },
          { name: 'score', type: 'DOUBLE' },
        ],
        dataFiles: 1,
        deleteFiles: 1,
        rows: 2,
        bytes: expect.any(Number),
        unreadable: null,
      },
    ]);
  });

  it('answers SQL as a table, CSV or JSON, at any snapshot, and refuses anything but one SELECT', async () => {
    const sql = `SELECT id, name, score FROM crm.people ORDER BY id`;
    const firstTime = (await bosun('lake', 'snapshots', '--json')).json.snapshots[1].time;
    const [human, csvOut, asJson, envelope, write, noSnapshot] = await Promise.all([
      bosun('lake', 'sql', sql),
      bosun('lake', 'sql', sql, '--at', '1', '--format', 'csv'),
      bosun('lake', 'sql', `SELECT count(*)::INT AS n FROM crm.people`, '--at-time', firstTime, '--format', 'json'),
      bosun('lake', 'sql', `SELECT max(score) AS top FROM crm.people`, '--json'),
      bosun('lake', 'sql', `DELETE FROM crm.people`, '--json'),
      bosun('lake', 'sql', `SELECT 1`, '--at', '99', '--json'),
    ]);
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toBe(
      ['id  name     score', '──  ───────  ─────', ' 2  bob, jr   1.25', ' 3  cy        NULL', ''].join('\n'),
    );
    expect(human.stderr).toMatch(/^\(2 rows, \d+ ms, snapshot 2\)\n$/);
    expect(csvOut.stdout).toBe('id,name,score\n1,ann,0.5\n2,"bob, jr",1.25\n3,cy,\n');
    expect(JSON.parse(asJson.stdout)).toEqual([{ n: 3 }]);
    expect(envelope.json).toMatchObject({
      snapshotId: 2,
      columns: [{ name: 'top', type: 'DOUBLE' }],
      rows: [{ top: 1.25 }],
      rowCount: 1,
      elapsedMs: expect.any(Number),
    });
    expect(write.exitCode).toBe(2);
    expect(write.json.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('only a SELECT statement'),
    });
    expect(noSnapshot.exitCode).toBe(3);
    expect(noSnapshot.json.error.code).toBe('NOT_FOUND');
  });

  it('reads no file outside the lake through SQL (issue 11, item 5)', async () => {
    const secret = path.join(home, 'postgres', 'credentials.json');
    fs.mkdirSync(path.dirname(secret), { recursive: true });
    fs.writeFileSync(secret, '{"password":"hunter2"}', { mode: 0o600 });
    const probes = [
      `SELECT * FROM read_text('/etc/passwd')`,
      `SELECT * FROM glob('/etc/*')`,
      `SELECT * FROM read_text('${secret}')`,
      `SELECT * FROM read_csv('${path.join(home, 'lake')}/../postgres/credentials.json')`,
    ];
    const results = await Promise.all(probes.map((q) => bosun('lake', 'sql', q, '--json')));
    for (const [i, r] of results.entries()) {
      expect(r.exitCode, probes[i]).toBe(2);
      expect(r.json.error.message, probes[i]).toMatch(/Permission Error: Cannot access file/);
      expect(r.json.error.hint).toMatch(/outside its data path/);
      expect(r.stdout).not.toContain('hunter2');
    }
    // The lake's own tables still read.
    const own = await bosun('lake', 'sql', `SELECT count(*)::INT AS n FROM crm.people`, '--json');
    expect(own.json.rows).toEqual([{ n: 2 }]);
  });

  it('shows the lake and how to ATTACH it, and runs maintenance', async () => {
    const [info, compacted, badFile] = await Promise.all([
      bosun('lake', 'info', '--json'),
      bosun('lake', 'compact', '--json'),
      bosun('lake', 'import', 'crm.people', path.join(home, 'x.xlsx'), '--json'),
    ]);
    expect(info.json).toMatchObject({
      dataPath: `${path.join(home, 'lake')}/`,
      specVersion: '1.0',
      latestSnapshot: { id: 2 },
      snapshots: 3,
      tables: [expect.objectContaining({ name: 'crm.people', rows: 2 })],
    });
    const url = new URL(db.url);
    expect(info.json.attach).toBe(
      `ATTACH 'ducklake:postgres:dbname=${db.name} host=${url.hostname} port=${url.port} user=${decodeURIComponent(url.username)}` +
        (url.password ? ` password=${decodeURIComponent(url.password)}` : '') +
        `' AS lake (METADATA_SCHEMA 'ducklake', DATA_PATH '${path.join(home, 'lake')}/')`,
    );
    expect(compacted.json).toEqual({ snapshotId: null, tables: [] });
    expect(badFile.json.error.message).toContain("unknown file type '.xlsx'");

    const expired = await bosun('lake', 'expire', '--older-than', '0s', '--json');
    expect(expired.json).toMatchObject({ dryRun: false, expiredSnapshots: [0, 1], filesScheduled: [] });
    const cleaned = await bosun('lake', 'cleanup', '--dry-run', '--json');
    expect(cleaned.json).toEqual({ dryRun: true, removed: [] });
  });
});

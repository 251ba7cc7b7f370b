import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { runBosun } from '../../support/cli.js';

/** Issue 11, item 6: what `docs` says after a crash or a dead site is what happened. */
describe('honest sync states', () => {
  let db: TestDatabase;
  let home: string;
  let docsDir: string;
  const bosun = (...args: string[]) => runBosun(args, { home, env: { BOSUN_DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-honest-'));
    docsDir = path.join(home, 'src');
    fs.mkdirSync(docsDir);
    fs.writeFileSync(path.join(docsDir, 'index.md'), '# Hello\n\nSome text.\n');
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('shows a sync whose process died as interrupted, and repair closes it', async () => {
    expect((await bosun('docs', 'add', 'tiny', docsDir, '--json')).exitCode).toBe(0);
    // What `kill -9` of a sync leaves: a run marked running whose process is gone.
    const dead = spawnSync('true').pid;
    await db.pool.query(
      `INSERT INTO bosun.doc_sync_run (id, library, status, owner_pid, owner_host, heartbeat_at)
       VALUES (gen_random_uuid(), 'tiny', 'running', $1, $2, now())`,
      [dead, os.hostname()],
    );
    const list = await bosun('docs', 'list', '--json');
    expect(list.json.libraries.find((l: { name: string }) => l.name === 'tiny').lastSync.status).toBe('interrupted');
    const show = await bosun('docs', 'show', 'tiny', '--json');
    expect(show.json.lastSync.status).toBe('interrupted');
    const repaired = await bosun('docs', 'repair', '--json');
    expect(repaired.json.interrupted).toEqual([{ runId: expect.any(String), library: 'tiny' }]);
    const stored = await db.pool.query(`SELECT status FROM bosun.doc_sync_run WHERE library = 'tiny'`);
    expect(stored.rows).toEqual([{ status: 'interrupted' }]);
    // The next sync works, and its run is honest too.
    const synced = await bosun('docs', 'sync', 'tiny', '--json');
    expect(synced.exitCode, synced.stderr).toBe(0);
    expect((await bosun('docs', 'show', 'tiny', '--json')).json.lastSync.status).toBe('succeeded');
  });

  it('fails the sync of a site on a closed port with the network cause, not "disallowed by robots.txt"', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect((await bosun('docs', 'add', 'gone', `http://127.0.0.1:${port}/docs/`, '--json')).exitCode).toBe(0);
    const synced = await bosun('docs', 'sync', 'gone', '--json');
    expect(synced.exitCode).not.toBe(0);
    expect(synced.stdout + synced.stderr).toMatch(
      /SOURCE_UNREACHABLE.*cannot reach http:\/\/127\.0\.0\.1:\d+: network error/,
    );
    expect(synced.stdout + synced.stderr).not.toMatch(/disallowed by robots\.txt/);
    const show = await bosun('docs', 'show', 'gone', '--json');
    expect(show.json.lastSync).toMatchObject({ status: 'failed', error: { code: 'SOURCE_UNREACHABLE' } });
  }, 60_000);
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { runBosun } from '../support/cli.js';

describe('external PostgreSQL, doctor and CLI errors', () => {
  let db: TestDatabase;
  let home: string;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-ext-'));
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('uses BOSUN_DATABASE_URL and never starts a server', async () => {
    const doctor = await runBosun(['doctor', '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });
    expect(doctor.exitCode, doctor.stderr).toBe(0);
    const pg = doctor.json.checks.find((c: { name: string }) => c.name === 'postgresql');
    expect(pg.status).toBe('ok');
    expect(pg.detail).toMatch(/^external, reachable, migrations (\d+)\/\1$/);
    expect(fs.existsSync(path.join(home, 'postgres'))).toBe(false);
    const status = await runBosun(['status', '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });
    expect(status.json).toMatchObject({ mode: 'external', running: true });
    expect(status.json.url).toContain(':***@');
    const down = await runBosun(['down', '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });
    expect(down.json.stopped).toBe(false);
    // The migrations really ran in that database.
    const ledger = await db.pool.query('SELECT count(*)::int AS n FROM bosun.schema_migration');
    expect(ledger.rows[0].n).toBeGreaterThan(0);
  });

  it('the --database-url flag beats the environment', async () => {
    const res = await runBosun(['status', '--json', '--database-url', db.url], {
      home,
      env: { BOSUN_DATABASE_URL: 'postgresql://nobody:x@127.0.0.1:1/none' },
    });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json.mode).toBe('external');
  });

  it('doctor reports an unreachable database as an error with a hint, and exits non-zero', async () => {
    const res = await runBosun(['doctor', '--json'], {
      home,
      env: { BOSUN_DATABASE_URL: 'postgresql://x:y@127.0.0.1:1/none' },
    });
    expect(res.exitCode).toBe(1);
    const pg = res.json.checks.find((c: { name: string }) => c.name === 'postgresql');
    expect(pg).toMatchObject({ status: 'error', required: true });
    expect(pg.hint).toMatch(/BOSUN_DATABASE_URL/);
    expect(res.json.ok).toBe(false);
  });

  it('doctor names the feature and Debian package of every optional tool', async () => {
    const res = await runBosun(['doctor', '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });
    const names = res.json.checks.map((c: { name: string }) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'node',
        'postgresql',
        'duckdb',
        'lake directory',
        'sandbox',
        'git',
        'yt-dlp',
        'ffmpeg',
        'tesseract',
        'pdftotext',
        'python3',
        'nvcc',
        'chromium',
      ]),
    );
    for (const c of res.json.checks.filter((c: { required: boolean }) => !c.required)) {
      expect(c.feature).toBeTruthy();
      expect(c.package).toBeTruthy();
      if (c.status !== 'ok') expect(c.hint).toContain(`apt-get install -y ${c.package}`);
    }
    const git = res.json.checks.find((c: { name: string }) => c.name === 'git');
    expect(git).toMatchObject({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+/) });
    // Which isolation this machine gives sandboxed code, in words.
    const sandbox = res.json.checks.find((c: { name: string }) => c.name === 'sandbox');
    expect(sandbox.detail).toMatch(/cgroup v[12]|rlimits|refused|UNCONFINED/);
    const duck = res.json.checks.find((c: { name: string }) => c.name === 'duckdb');
    expect(duck).toMatchObject({ status: 'ok', version: expect.stringMatching(/^v1\./) });
  });

  it('prints error[CODE] and a hint on stderr, JSON on stdout with --json, and exits 2 on bad input', async () => {
    const bad = await runBosun(['config', 'set', 'worker.concurrency', 'lots'], { home });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error\[INVALID_CONFIG\]: cannot set worker\.concurrency/m);
    expect(fs.existsSync(path.join(home, 'config.yaml'))).toBe(false);
    const badJson = await runBosun(['config', 'set', 'worker.concurrency', 'lots', '--json'], { home });
    expect(badJson.exitCode).toBe(2);
    expect(badJson.json.error.code).toBe('INVALID_CONFIG');
    const unknown = await runBosun(['frobnicate'], { home });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command/);
  });

  it('config set/get/show round-trip through the file', async () => {
    const set = await runBosun(['config', 'set', 'worker.concurrency', '6', '--json'], { home });
    expect(set.exitCode, set.stderr).toBe(0);
    const get = await runBosun(['config', 'get', 'worker.concurrency', '--json'], { home });
    expect(get.json).toEqual({ key: 'worker.concurrency', value: 6, source: 'file' });
    const show = await runBosun(['config', 'show', '--json'], {
      home,
      env: { BOSUN_DATABASE_URL: 'postgresql://u:secret@h/db' },
    });
    const url = show.json.keys.find((k: { key: string }) => k.key === 'database.url');
    expect(url).toMatchObject({ source: 'env', value: 'postgresql://u:***@h/db', env: 'BOSUN_DATABASE_URL' });
  });

  it('--help lists every command with a description', async () => {
    const res = await runBosun(['--help'], { home });
    expect(res.exitCode).toBe(0);
    for (const cmd of ['quickstart', 'init', 'up', 'down', 'status', 'doctor', 'config', 'worker']) {
      expect(res.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b.*\\S`, 'm'));
    }
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun } from '../support/cli.js';

/** Live (non-zombie) postgres postmasters serving `dataDir`. */
function postmastersFor(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && cmd[0]?.endsWith('/postgres') && cmd.includes(dataDir)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('embedded PostgreSQL through the CLI', () => {
  let home: string;
  let serverRoot: string | undefined;

  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-embedded-'));
  });
  afterAll(async () => {
    await runBosun(['down'], { home });
    fs.rmSync(home, { recursive: true, force: true });
    if (serverRoot && !serverRoot.startsWith(home))
      fs.rmSync(path.dirname(serverRoot), { recursive: true, force: true });
  });

  it('three `bosun up` at the same moment leave exactly one server', async () => {
    const results = await Promise.all([1, 2, 3].map(() => runBosun(['up', '--json'], { home })));
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    const pids = new Set(results.map((r) => r.json.pid));
    expect(pids.size).toBe(1);
    const first = results[0]!.json;
    expect(first).toMatchObject({ mode: 'embedded', running: true });
    expect(first.migrations.pending).toBe(0);
    expect(first.serverVersion).toMatch(/^1[5-9]/);
    serverRoot = path.dirname(first.dataDir);
    expect(postmastersFor(first.dataDir)).toEqual([first.pid]);
    // As root the cluster belongs to the `postgres` OS user, never to root.
    if (process.getuid?.() === 0) expect(fs.statSync(first.dataDir).uid).not.toBe(0);
  });

  it('recovers by itself after kill -9 of the server', async () => {
    const before = (await runBosun(['status', '--json'], { home })).json;
    process.kill(before.pid, 'SIGKILL');
    const down = await runBosun(['status', '--json'], { home });
    expect(down.exitCode).toBe(0);
    expect(down.json.running).toBe(false);
    const doctor = await runBosun(['doctor', '--json'], { home });
    expect(doctor.exitCode, doctor.stderr).toBe(0);
    const pg = doctor.json.checks.find((c: { name: string }) => c.name === 'postgresql');
    expect(pg).toMatchObject({ status: 'ok', detail: expect.stringContaining('embedded') });
    const after = (await runBosun(['status', '--json'], { home })).json;
    expect(after.running).toBe(true);
    expect(after.pid).not.toBe(before.pid);
    expect(postmastersFor(after.dataDir)).toEqual([after.pid]);
  });

  it('takes over a start lock left behind by a crashed process', async () => {
    const status = (await runBosun(['down', '--json'], { home })).json;
    expect(status.stopped).toBe(true);
    const lock = path.join(home, 'run', 'postgres.lock');
    fs.mkdirSync(lock, { recursive: true });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const up = await runBosun(['up', '--json'], { home });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.json.running).toBe(true);
  });

  it('keeps one cluster for a home that did not exist before its first command', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-open-'));
    fs.chmodSync(parent, 0o755);
    const fresh = path.join(parent, 'home');
    try {
      const first = await runBosun(['up', '--json'], { home: fresh });
      expect(first.exitCode, first.stderr).toBe(0);
      await runBosun(['down'], { home: fresh });
      const second = await runBosun(['up', '--json'], { home: fresh });
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.json.dataDir).toBe(first.json.dataDir);
      expect(fs.realpathSync(path.join(fresh, 'postgres', 'data'))).toBe(first.json.dataDir);
    } finally {
      await runBosun(['down'], { home: fresh });
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('`bosun down` stops the server and a second down says it was not running', async () => {
    const status = (await runBosun(['status', '--json'], { home })).json;
    const first = await runBosun(['down', '--json'], { home });
    expect(first.json).toEqual({ stopped: true });
    expect(postmastersFor(status.dataDir)).toEqual([]);
    const second = await runBosun(['down', '--json'], { home });
    expect(second.json).toEqual({ stopped: false });
  });
});

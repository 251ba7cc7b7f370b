import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** The built CLI (`npm run build` first) against a real database. */
describe('bosun agents', () => {
  let db: TestDatabase;
  let home: string;
  const bosun = (...args: string[]) => runBosun([...args, '--json'], { home, env: { BOSUN_DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await createTestDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-cli-agents-'));
    fs.mkdirSync(path.join(home, 'agents'));
    fs.writeFileSync(
      path.join(home, 'agents', 'fax.yaml'),
      'id: fax\nname: Fax\ntier: task\nversion: 1.0.0\ndescription: sends faxes\nexecutor: { kind: assistant }\nrequires:\n  commands:\n    - { name: bosun-fax-tool, package: bosun-fax }\nskills:\n  - { id: fax.send, name: Send, description: sends a fax }\n',
    );
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('list and show', async () => {
    const list = await bosun('agents', 'list');
    expect(list.exitCode, list.stderr).toBe(0);
    const ids = list.json.map((a: { id: string }) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['youtube', 'python', 'documents', 'fax']));
    expect(list.json.find((a: { id: string }) => a.id === 'youtube')).toMatchObject({
      tier: 'task',
      executor: 'builtin',
      available: true,
      source: 'builtin',
    });

    const show = await bosun('agents', 'show', 'python');
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.json.skillStats).toEqual([
      {
        id: 'python.run',
        name: 'Run Python',
        available: true,
        reasons: [],
        runs: 0,
        successes: 0,
        p50DurationMs: null,
      },
    ]);
    const missing = await bosun('agents', 'show', 'nope');
    expect(missing.exitCode).toBe(3);
    expect(missing.json.error).toMatchObject({ code: 'NOT_FOUND', message: "no agent 'nope'" });
  });

  it('check says what is usable and which packages to install', async () => {
    const check = await bosun('agents', 'check');
    expect(check.exitCode, check.stderr).toBe(0);
    const fax = check.json.agents.find((a: { id: string }) => a.id === 'fax');
    expect(fax).toMatchObject({
      usable: false,
      automatic: false,
      missing: [{ command: 'bosun-fax-tool', optional: false, package: 'bosun-fax' }],
    });
    expect(check.json.agents.find((a: { id: string }) => a.id === 'python').usable).toBe(true);
    expect(check.json.install).toMatch(/^apt-get install -y .*\bbosun-fax\b/);
  });

  it('export writes A2A cards and Claude Code subagents', async () => {
    const out = path.join(home, 'export');
    const a2a = await bosun('agents', 'export', '--format', 'a2a', '--out', path.join(out, 'a2a'));
    expect(a2a.exitCode, a2a.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'a2a', 'youtube.json'), 'utf8')).skills).toHaveLength(3);
    const cc = await bosun('agents', 'export', '--format', 'claude-code', '--out', path.join(out, '.claude', 'agents'));
    expect(cc.exitCode, cc.stderr).toBe(0);
    expect(cc.json.written).toContain(path.join(out, '.claude', 'agents', 'bosun-python.md'));
    const bad = await bosun('agents', 'export', '--format', 'pdf');
    expect(bad.exitCode).toBe(2);
    expect(bad.json.error.message).toMatch(/invalid --format/);
  });

  it('run executes a skill, prints the envelope, records the run, and reuses the result', async () => {
    const workDir = path.join(home, 'work');
    const args = [
      'agents',
      'run',
      'python',
      'python.run',
      '--work-dir',
      workDir,
      '--input',
      'code=print(\'{"answer": 42}\')',
      '--input',
      'timeoutSeconds=30',
    ];
    const first = await bosun(...args);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.json.envelope).toMatchObject({ status: 'completed', outputs: { result: { answer: 42 } } });
    const second = await bosun(...args);
    expect(second.json.envelope.metrics.cacheHit).toBe(1);
    const show = await bosun('agents', 'show', 'python');
    expect(show.json.skillStats[0]).toMatchObject({ runs: 1, successes: 1 });

    fs.writeFileSync(
      path.join(home, 'input.json'),
      JSON.stringify({ code: 'import sys; print(sys.argv[1:])', args: ['from-file'] }),
    );
    const fromFile = await bosun(
      'agents',
      'run',
      'python',
      'python.run',
      '--input-file',
      path.join(home, 'input.json'),
      '--input',
      'args=["flag"]',
      '--no-cache',
    );
    expect(fromFile.json.envelope.outputs.stdout).toBe("['flag']\n");
  });

  it('run rejects bad input with a clear error and exit status 2', async () => {
    const res = await bosun('agents', 'run', 'python', 'python.run', '--input', 'memoryMb=lots', '--input', 'code=1');
    expect(res.exitCode).toBe(2);
    expect(res.json.error.message).toBe('--input memoryMb: expected JSON ("integer"), got lots');
    const rejected = await bosun('agents', 'run', 'python', 'python.run', '--input', 'memoryMb=1');
    expect(rejected.exitCode).toBe(2);
    expect(rejected.json.envelope).toMatchObject({ status: 'rejected', error: { code: 'INVALID_INPUT' } });
  });

  it('an invalid user manifest stops every agents command with the file and key', async () => {
    const file = path.join(home, 'agents', 'broken.yaml');
    fs.writeFileSync(file, 'id: broken\n');
    try {
      const res = await bosun('agents', 'list');
      expect(res.exitCode).toBe(2);
      expect(res.json.error.message).toContain(`${file}: invalid agent manifest: name: Required`);
    } finally {
      fs.rmSync(file);
    }
  });
});

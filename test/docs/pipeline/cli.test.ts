import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { repoRoot, runBosun } from '../../support/cli.js';
import { docFiles, DUCKLAKE_DOCS, MCP_DOCS } from './support.js';

/** The built CLI (`npm run build` first) against a real database. */
describe('bosun docs', () => {
  let db: TestDatabase;
  let home: string;
  const bosun = (...args: string[]) => runBosun(args, { home, env: { BOSUN_DATABASE_URL: db.url } });
  const jsonLines = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);

  beforeAll(async () => {
    db = await createTestDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-docs-cli-'));
  });
  afterAll(async () => {
    await db?.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('adds libraries; --version after the command is the documentation version', async () => {
    const res = await bosun(
      'docs',
      'add',
      'ducklake',
      DUCKLAKE_DOCS,
      '--versions-from',
      'folders',
      '--description',
      'DuckLake manual',
      '--json',
    );
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json).toMatchObject({
      library: 'ducklake',
      source: {
        position: 0,
        input: DUCKLAKE_DOCS,
        spec: { kind: 'local', path: DUCKLAKE_DOCS, versionsFrom: 'folders' },
      },
    });
    const one = await bosun(
      'docs',
      'add',
      'mcp-spec',
      MCP_DOCS,
      '--versions-from',
      'folders',
      '--version',
      '2025-11-25',
      '--include',
      'specification/**',
      '--json',
    );
    expect(one.exitCode, one.stderr).toBe(0);
    expect(one.json.source.spec).toMatchObject({ version: '2025-11-25', include: ['specification/**'] });
    const version = await bosun('--version');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('syncs with JSON-lines progress and a summary', async () => {
    const res = await bosun('docs', 'sync', 'ducklake', 'mcp-spec', '--json');
    expect(res.exitCode, res.stderr).toBe(0);
    const lines = jsonLines(res.stdout);
    expect(lines.some((l) => l.event === 'progress' && l.library === 'ducklake' && l.phase === 'fetch')).toBe(true);
    const summaries = lines.filter((l) => l.event === 'summary');
    expect(summaries.map((s) => s.library)).toEqual(['ducklake', 'mcp-spec']);
    expect(summaries[0]).toMatchObject({
      pages: { added: 301, failed: 0 },
      defaultVersion: 'stable',
      snapshotId: expect.any(Number),
    });
    expect(summaries[1]).toMatchObject({ versions: ['2025-11-25'], pages: { failed: 0 } });
    // Only the spec pages of one version were taken.
    expect(summaries[1]?.pages.added).toBe(22);
  });

  it('prints a readable summary; a second sync changes nothing', async () => {
    const res = await bosun('docs', 'sync', 'ducklake');
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toContain('ducklake: 0 added, 0 changed, 0 removed, 301 unchanged, 0 failed');
    expect(res.stdout).toContain('snapshot: none (nothing changed)');
  });

  it('lists and shows libraries', async () => {
    const list = await bosun('docs', 'list', '--json');
    expect(list.json.libraries.map((l: { name: string; pages: number }) => [l.name, l.pages])).toEqual([
      ['ducklake', 301],
      ['mcp-spec', 22],
    ]);
    const show = await bosun('docs', 'show', 'ducklake', '--json');
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.json).toMatchObject({
      name: 'ducklake',
      description: 'DuckLake manual',
      defaultVersion: 'stable',
      lastSync: { status: 'succeeded' },
    });
    expect(show.json.versions.map((v: { version: string; pages: number }) => [v.version, v.pages])).toEqual([
      ['stable', 72],
      ['0.4', 71],
      ['0.3', 62],
      ['0.2', 52],
      ['0.1', 44],
    ]);
    expect(show.json.brokenLinks.total).toBe(4);
    const human = await bosun('docs', 'show', 'ducklake');
    expect(human.stdout).toMatch(/default version: +stable/);
    expect(human.stdout).toContain('broken links: 4');
    expect(human.stdout).toContain('/_posts/2025-10-24-frozen-ducklake (no such page)');
  });

  it('deprecates a version', async () => {
    const res = await bosun('docs', 'deprecate', 'ducklake', 'stable', '--json');
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json).toMatchObject({ library: 'ducklake', version: 'stable', deprecated: true, defaultVersion: '0.4' });
  });

  it('schedules, lists and removes syncs', async () => {
    const add = await bosun('docs', 'schedule', 'ducklake', '--cron', '0 3 * * *', '--json');
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.json.schedule).toMatchObject({ library: 'ducklake', cron: '0 3 * * *' });
    const all = await bosun('docs', 'schedule', '--all', '--cron', '15 */6 * * *', '--json');
    expect(all.exitCode, all.stderr).toBe(0);
    const list = await bosun('docs', 'schedule', '--list', '--json');
    expect(list.json.schedules.map((s: { library: string | null; cron: string }) => [s.library, s.cron])).toEqual([
      [null, '15 */6 * * *'],
      ['ducklake', '0 3 * * *'],
    ]);
    const bad = await bosun('docs', 'schedule', 'ducklake', '--cron', '0 3 * *', '--json');
    expect(bad.exitCode).toBe(2);
    expect(bad.json.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('expected 5 fields'),
    });
    const removed = await bosun('docs', 'schedule', 'ducklake', '--remove', '--json');
    expect(removed.json).toEqual({ library: 'ducklake', removed: true });
  });

  it('gives clear errors for bad input and changes nothing', async () => {
    const missing = await bosun('docs', 'add', 'ghost', path.join(home, 'nope'), '--json');
    expect(missing.exitCode).toBe(3);
    expect(missing.json.error.code).toBe('NOT_FOUND');
    const badName = await bosun('docs', 'add', 'Bad Name', DUCKLAKE_DOCS, '--json');
    expect(badName.exitCode).toBe(2);
    expect(badName.json.error.message).toContain("invalid library name 'Bad Name'");
    const badNumber = await bosun('docs', 'add', 'x', DUCKLAKE_DOCS, '--max-pages', 'many', '--json');
    expect(badNumber.exitCode).toBe(2);
    expect(badNumber.json.error.message).toContain('maxPages');
    const again = await bosun('docs', 'add', 'ducklake', DUCKLAKE_DOCS, '--json');
    expect(again.exitCode).toBe(4);
    expect(again.json.error.hint).toContain('--append');
    const nothing = await bosun('docs', 'sync', '--json');
    expect(nothing.exitCode).toBe(2);
    const unknown = await bosun('docs', 'sync', 'nope', '--json');
    expect(unknown.exitCode).toBe(3);
    expect(jsonLines(unknown.stdout)).toEqual([
      expect.objectContaining({
        event: 'error',
        library: 'nope',
        error: expect.objectContaining({ code: 'NOT_FOUND' }),
      }),
    ]);
    const list = await bosun('docs', 'list', '--json');
    expect(list.json.libraries.map((l: { name: string }) => l.name)).toEqual(['ducklake', 'mcp-spec']);
  });

  it('removes a library in one snapshot', async () => {
    const res = await bosun('docs', 'remove', 'mcp-spec', '--json');
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json).toMatchObject({ removed: true, library: 'mcp-spec', pages: 22, snapshotId: expect.any(Number) });
    const show = await bosun('docs', 'show', 'mcp-spec', '--json');
    expect(show.exitCode).toBe(3);
    expect(show.json.error.hint).toBe('known libraries: ducklake');
  });

  it('quickstart indexes Bosun’s own README and docs/ as the library bosun, incrementally', async () => {
    const expected = 1 + (await docFiles(path.join(repoRoot, 'docs'))).length;
    const first = await bosun('quickstart', '--json');
    expect(first.json?.docs, first.stderr).toMatchObject({ library: 'bosun', pages: { added: expected, failed: 0 } });
    const second = await bosun('quickstart', '--json');
    expect(second.json?.docs).toMatchObject({ pages: { added: 0, unchanged: expected }, snapshotId: null });
    const show = await bosun('docs', 'show', 'bosun', '--json');
    expect(show.json.sources[0].spec).toMatchObject({
      kind: 'local',
      path: repoRoot,
      include: ['README.md', 'docs/**'],
    });
  });
});

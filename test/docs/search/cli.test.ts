import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBosun } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/db.js';
import { alphaDocs, writeDocs } from './support.js';

/** The built CLI (`npm run build` first) against a real database: search, read, outline, eval. */
describe('bosun docs search | read | outline | eval', () => {
  let db: TestDatabase;
  let home: string;
  const bosun = (...args: string[]) => runBosun(args, { home, env: { BOSUN_DATABASE_URL: db.url } });

  beforeAll(async () => {
    db = await createTestDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-search-cli-'));
    const docs = path.join(home, 'alpha-docs');
    await writeDocs(docs, alphaDocs);
    for (const args of [
      ['docs', 'add', 'alpha', docs, '--versions-from', 'folders', '--json'],
      ['docs', 'sync', 'alpha', '--json'],
    ]) {
      const res = await bosun(...args);
      expect(res.exitCode, res.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await db?.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('search --json returns hits with citations; the terminal output cites library@version path › heading', async () => {
    const json = await bosun(
      'docs',
      'search',
      'alpha_stream_mode subscribers',
      '--library',
      'alpha',
      '--limit',
      '3',
      '--json',
    );
    expect(json.exitCode, json.stderr).toBe(0);
    expect(json.json.searched).toEqual([{ library: 'alpha', version: '2.0' }]);
    expect(json.json.hits[0]).toMatchObject({
      library: 'alpha',
      version: '2.0',
      path: 'reference/stream_mode.md',
      source: '2.0/reference/stream_mode.md',
      chunk_id: expect.stringMatching(/^[0-9a-f]{24}$/),
    });
    const human = await bosun('docs', 'search', 'legacy_sync_mode', '--library', 'alpha', '--version', '1.0');
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toContain('1. alpha@1.0 reference/legacy_sync.md › Legacy Sync');
  });

  it('--max-tokens bounds the answer', async () => {
    const res = await bosun(
      'docs',
      'search',
      'compaction small files',
      '--library',
      'alpha',
      '--max-tokens',
      '80',
      '--json',
    );
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.json.tokens).toBeLessThanOrEqual(80);
  });

  it('read pages through a long page; outline prints the tree', async () => {
    const first = await bosun('docs', 'read', 'alpha', 'guide/maintenance.md', '--max-tokens', '450', '--json');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.json).toMatchObject({
      path: 'guide/maintenance.md',
      source: '2.0/guide/maintenance.md',
      offset: 0,
      next_offset: expect.any(Number),
    });
    const next = await bosun(
      'docs',
      'read',
      'alpha',
      'guide/maintenance.md',
      '--max-tokens',
      '450',
      '--offset',
      String(first.json.next_offset),
    );
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout).toContain('alpha@2.0 guide/maintenance.md');
    const outline = await bosun('docs', 'outline', 'alpha', '--depth', '3');
    expect(outline.exitCode, outline.stderr).toBe(0);
    expect(outline.stdout).toContain('guide/');
    expect(outline.stdout).toContain('  maintenance.md — Maintenance');
    expect(outline.stdout).toContain('    # Compaction');
  });

  it('an unknown page is a not-found error with the nearest matches', async () => {
    const res = await bosun('docs', 'read', 'alpha', 'guide/maintainance', '--json');
    expect(res.exitCode).toBe(3);
    expect(res.json.error).toMatchObject({ code: 'NOT_FOUND', hint: expect.stringContaining('guide/maintenance.md') });
  });

  it('eval prints hit@1, hit@5, recall@5, MRR@10 and latency', async () => {
    const questions = path.join(home, 'questions.jsonl');
    await fs.writeFile(
      questions,
      [
        {
          question: 'which setting mirrors writes to the standby synchronously?',
          library: 'alpha',
          version: '1.0',
          gold: ['reference/legacy_sync.md'],
        },
        { question: 'what does error -32099 mean', library: 'alpha', gold: ['reference/errors.md'] },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
    );
    const json = await bosun('docs', 'eval', questions, '--json');
    expect(json.exitCode, json.stderr).toBe(0);
    expect(json.json.summary).toMatchObject({ questions: 2, hit_at_1: 1, hit_at_5: 1, recall_at_5: 1, mrr_at_10: 1 });
    const human = await bosun('docs', 'eval', questions);
    expect(human.stdout).toMatch(/hit@1:\s+1\.000/);
    expect(human.stdout).toMatch(/MRR@10:\s+1\.000/);
    const bad = await bosun('docs', 'eval', path.join(home, 'missing.jsonl'), '--json');
    expect(bad.json.error.code).toBe('NOT_FOUND');
  });
});

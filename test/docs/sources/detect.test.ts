import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSource } from '../../../src/docs/sources/index.js';

describe('detectSource', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-detect-'));
    await fs.mkdir(path.join(dir, 'docs'));
    await fs.mkdir(path.join(dir, 'repo/.git'), { recursive: true });
    await fs.writeFile(path.join(dir, 'api.yaml'), 'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths: {}\n');
    await fs.writeFile(path.join(dir, 'api.json'), '{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{}}');
    await fs.writeFile(path.join(dir, 'compose.yml'), 'services: {}\n');
    await fs.writeFile(path.join(dir, 'llms-full.txt'), '# A\n');
    await fs.writeFile(path.join(dir, 'notes.md'), '# A\n');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('classifies folders, repositories, URLs and files', () => {
    expect(detectSource('docs', { cwd: dir })).toEqual({ kind: 'local', path: path.join(dir, 'docs') });
    expect(detectSource(path.join(dir, 'repo'))).toEqual({ kind: 'local', path: path.join(dir, 'repo') });
    expect(detectSource(path.join(dir, 'repo'), { tags: 'v*', subdir: 'docs' })).toEqual({
      kind: 'git',
      url: path.join(dir, 'repo'),
      tags: 'v*',
      subdir: 'docs',
    });
    expect(detectSource('git@github.com:duckdb/ducklake-web.git', { ref: 'main' })).toEqual({
      kind: 'git',
      url: 'git@github.com:duckdb/ducklake-web.git',
      ref: 'main',
    });
    expect(detectSource('ssh://git@example.com/docs.git').kind).toBe('git');
    expect(detectSource('https://github.com/modelcontextprotocol/modelcontextprotocol.git').kind).toBe('git');
    expect(detectSource('https://github.com/org/repo', { branches: 'release/*' })).toMatchObject({
      kind: 'git',
      branches: 'release/*',
    });
    expect(detectSource('https://example.com/llms.txt')).toEqual({ kind: 'llms', url: 'https://example.com/llms.txt' });
    expect(detectSource('https://example.com/docs/llms-full.txt').kind).toBe('llms');
    expect(detectSource('https://example.com/llms-ctx-full.txt').kind).toBe('llms');
    expect(detectSource('https://example.com/openapi.yaml').kind).toBe('openapi');
    expect(
      detectSource('https://example.com/docs/', {
        scope: 'https://example.com/docs/',
        maxPages: 50,
        rate: 2,
        render: true,
      }),
    ).toEqual({
      kind: 'web',
      url: 'https://example.com/docs/',
      scope: 'https://example.com/docs/',
      render: true,
      maxPages: 50,
      rate: 2,
    });
    expect(detectSource('api.yaml', { cwd: dir })).toEqual({ kind: 'openapi', path: path.join(dir, 'api.yaml') });
    expect(detectSource(path.join(dir, 'api.json')).kind).toBe('openapi');
    expect(detectSource(`file://${path.join(dir, 'llms-full.txt')}`)).toEqual({
      kind: 'llms',
      path: path.join(dir, 'llms-full.txt'),
    });
    expect(detectSource('docs', { cwd: dir, versionsFrom: 'folders', include: ['**/*.md'] })).toMatchObject({
      versionsFrom: 'folders',
      include: ['**/*.md'],
    });
  });

  it('explains what it cannot use', () => {
    expect(() => detectSource('missing-folder', { cwd: dir })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: 'source not found: missing-folder' }),
    );
    expect(() => detectSource('compose.yml', { cwd: dir })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => detectSource('notes.md', { cwd: dir })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => detectSource('ftp://example.com/docs')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => detectSource('docs', { cwd: dir, ref: 'main' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('not a git repository') }),
    );
    expect(() => detectSource('https://example.com/', { concurrency: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('concurrency') }),
    );
    expect(() => detectSource('https://example.com/x.git', { ref: 'main', tags: 'v*' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

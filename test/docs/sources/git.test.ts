import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquire, type SourceDocument } from '../../../src/docs/sources/index.js';
import { runChecked } from '../../../src/exec/index.js';
import { collect } from './helpers.js';

const author = ['-c', 'user.name=Bosun Test', '-c', 'user.email=test@bosun.invalid', '-c', 'init.defaultBranch=main'];

describe('git source over a local repository with tags', () => {
  let dir: string;
  let repo: string;
  let workDir: string;
  let v11commit: string;

  const git = async (...args: string[]): Promise<string> =>
    (await runChecked('git', [...author, '-C', repo, ...args])).stdout.trim();
  const write = async (rel: string, body: string): Promise<void> => {
    await fs.mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
    await fs.writeFile(path.join(repo, rel), body);
  };
  const commit = async (message: string): Promise<void> => {
    await git('add', '-A');
    await git('commit', '-q', '-m', message);
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-git-test-'));
    repo = path.join(dir, 'repo');
    workDir = path.join(dir, 'work');
    await fs.mkdir(workDir);
    await runChecked('git', [...author, 'init', '-q', repo]);
    await write('README.md', '# Project\n');
    await write('src/main.ts', 'export {};\n');
    await write('docs/index.md', '# Docs v1.0\n');
    await write('docs/guide/install.md', '# Install\n\nnpm i thing\n');
    await commit('docs 1.0');
    await git('tag', 'v1.0');
    await write('docs/index.md', '# Docs v1.1\n');
    await write('docs/guide/configure.mdx', '# Configure\n');
    await commit('docs 1.1');
    await git('tag', '-a', 'v1.1', '-m', 'release 1.1'); // annotated: ls-remote also lists its peeled ^{}
    v11commit = await git('rev-parse', 'HEAD');
    await write('docs/index.md', '# Docs v2.0\n');
    await fs.rm(path.join(repo, 'docs/guide/install.md'));
    await write('docs/reference/api.md', '# API\n');
    await commit('docs 2.0');
    await git('tag', 'v2.0');
    await git('tag', 'experiment-1');
    await git('branch', 'release/2.x');
    await write('docs/index.md', '# Docs main\n');
    await commit('work in progress');
  }, 30_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const byVersion = (docs: SourceDocument[]) => {
    const out: Record<string, string[]> = {};
    for (const d of docs) (out[String(d.version)] ??= []).push(d.path);
    return out;
  };

  it("versions from --tags 'v*' with a subdir: each tag checked out and walked", async () => {
    const docs = await collect(
      acquire({ kind: 'git', url: repo, tags: 'v*', subdir: 'docs' }, { previous: new Map(), workDir }),
    );
    expect(byVersion(docs)).toEqual({
      'v1.0': ['guide/install.md', 'index.md'],
      'v1.1': ['guide/configure.mdx', 'guide/install.md', 'index.md'],
      'v2.0': ['guide/configure.mdx', 'index.md', 'reference/api.md'],
    });
    expect(docs.find((d) => d.version === 'v1.1' && d.path === 'index.md')?.content).toBe('# Docs v1.1\n');
    expect(docs.find((d) => d.version === 'v2.0' && d.path === 'index.md')?.content).toBe('# Docs v2.0\n');
    expect(await fs.readdir(workDir)).toEqual([]); // checkouts are cleaned up
  }, 30_000);

  it('one ref (a tag, a branch, a commit) or the default branch, with or without subdir', async () => {
    const tag = await collect(acquire({ kind: 'git', url: repo, ref: 'v1.0' }, { previous: new Map(), workDir }));
    expect(tag.map((d) => `${d.version}:${d.path}`)).toEqual([
      'v1.0:README.md',
      'v1.0:docs/guide/install.md',
      'v1.0:docs/index.md',
    ]);
    const head = await collect(acquire({ kind: 'git', url: repo, subdir: 'docs' }, { previous: new Map(), workDir }));
    expect(head.find((d) => d.path === 'index.md')).toMatchObject({ version: null, content: '# Docs main\n' });
    const branch = await collect(
      acquire({ kind: 'git', url: repo, branches: 'release/*', subdir: 'docs' }, { previous: new Map(), workDir }),
    );
    expect(branch.find((d) => d.path === 'index.md')).toMatchObject({
      version: 'release/2.x',
      content: '# Docs v2.0\n',
    });
    const sha = await collect(
      acquire(
        { kind: 'git', url: `file://${repo}`, ref: v11commit, subdir: 'docs', version: '1.1' },
        { previous: new Map(), workDir },
      ),
    );
    expect(sha.find((d) => d.path === 'index.md')).toMatchObject({ version: '1.1', content: '# Docs v1.1\n' });
  }, 30_000);

  it('an invalid ref names the ref and lists available ones', async () => {
    const err = await collect(acquire({ kind: 'git', url: repo, ref: 'v9.9' }, { previous: new Map(), workDir })).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: `ref 'v9.9' not found in ${repo}` });
    expect((err as { hint: string }).hint).toMatch(/^available: .*experiment-1.*main.*v1\.0, v1\.1, v2\.0/);
    await expect(
      collect(acquire({ kind: 'git', url: repo, tags: 'release-*' }, { previous: new Map(), workDir })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      hint: 'available: experiment-1, v1.0, v1.1, v2.0',
    });
  });

  it('a missing subdir, a subdir leaving the repository, and a missing repository are clear errors', async () => {
    await expect(
      collect(acquire({ kind: 'git', url: repo, ref: 'v1.0', subdir: 'manual' }, { previous: new Map(), workDir })),
    ).rejects.toThrow(/subdir 'manual' not found .* at v1\.0/);
    await expect(
      collect(acquire({ kind: 'git', url: repo, subdir: '../etc' }, { previous: new Map(), workDir })),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      collect(acquire({ kind: 'git', url: path.join(dir, 'none') }, { previous: new Map(), workDir })),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      collect(acquire({ kind: 'git', url: `file://${path.join(dir, 'none')}` }, { previous: new Map(), workDir })),
    ).rejects.toThrow(/cannot read git repository/);
    expect(await fs.readdir(workDir)).toEqual([]);
  }, 30_000);
});

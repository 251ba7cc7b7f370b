import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import picomatch from 'picomatch';
import { BosunError } from '../../core/index.js';
import { DEFAULT_ENV_ALLOWLIST, runChecked, runCommand, type RunOptions } from '../../exec/index.js';
import { walkFolder } from './local.js';
import { limits, type GitSpec } from './spec.js';
import type { AcquireContext, SourceDocument } from './types.js';

interface RemoteRef {
  name: string;
  kind: 'branch' | 'tag';
}

interface Target {
  /** Branch or tag name, or a commit id; undefined = the default branch. */
  ref: string | undefined;
  commit: boolean;
  version: string | null;
}

const CLONE_TIMEOUT_MS = 10 * 60_000;

/** Never prompt for credentials (a prompt would hang a sync); keep what ssh and proxies need. */
function gitOptions(ctx: AcquireContext, extra: RunOptions = {}): RunOptions {
  return {
    env: { GIT_TERMINAL_PROMPT: '0' },
    envAllowlist: [
      ...DEFAULT_ENV_ALLOWLIST,
      'SSH_AUTH_SOCK',
      'GIT_SSH',
      'GIT_SSH_COMMAND',
      'HTTP_PROXY',
      'HTTPS_PROXY',
      'NO_PROXY',
      'http_proxy',
      'https_proxy',
      'no_proxy',
    ],
    signal: ctx.signal,
    ...extra,
  };
}

/**
 * A git repository: each selected version (one ref, or every tag/branch matching a glob) is
 * cloned shallowly (sparse when a subdir is given) into a temporary folder and walked as a
 * local folder, then removed.
 */
export async function* acquireGit(spec: GitSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  const remote = await remoteUrl(spec.url);
  const subdir = spec.subdir === undefined ? undefined : safeSubdir(spec.subdir);
  const targets = selectTargets(spec, await listRefs(remote, spec.url, ctx));
  const lim = limits(spec);
  const work = await fs.mkdtemp(path.join(ctx.workDir ?? os.tmpdir(), 'bosun-git-'));
  try {
    for (const [i, target] of targets.entries()) {
      const dir = path.join(work, String(i));
      await checkout(remote, target, subdir, dir, ctx);
      const root = subdir ? path.join(dir, subdir) : dir;
      if (!(await fs.stat(root).catch(() => undefined))?.isDirectory()) {
        throw new BosunError(
          'NOT_FOUND',
          `subdir '${subdir}' not found in ${spec.url} at ${target.ref ?? 'the default branch'}`,
        );
      }
      yield* walkFolder(
        root,
        { ...spec, version: target.version, maxPages: lim.maxPages, maxPageBytes: lim.maxPageBytes },
        ctx,
      );
      await fs.rm(dir, { recursive: true, force: true });
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** A local repository is cloned through file:// so that --depth and --filter apply. */
async function remoteUrl(url: string): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/\s]+@[^:\s]+:/.test(url)) return url;
  const stat = await fs.stat(url).catch(() => undefined);
  if (!stat?.isDirectory())
    throw new BosunError('NOT_FOUND', `git repository not found: ${url}`, {
      hint: 'give a repository URL or the path of a local repository',
    });
  return pathToFileURL(path.resolve(url)).href;
}

function safeSubdir(subdir: string): string {
  const normal = path.posix.normalize(subdir.replace(/\\/g, '/')).replace(/^\.\/|\/$/g, '');
  if (normal === '..' || normal.startsWith('../') || path.posix.isAbsolute(normal)) {
    throw new BosunError('INVALID_INPUT', `subdir '${subdir}' leaves the repository`, {
      hint: 'give a folder inside the repository, such as docs',
    });
  }
  return normal;
}

async function listRefs(remote: string, shown: string, ctx: AcquireContext): Promise<RemoteRef[]> {
  const result = await runCommand(
    'git',
    ['ls-remote', '--tags', '--heads', '--', remote],
    gitOptions(ctx, { timeoutMs: 120_000 }),
  );
  ctx.signal?.throwIfAborted();
  if (!result.ok) {
    const reason = result.stderr.trim().split('\n')[0] ?? `exit code ${result.exitCode}`;
    throw new BosunError('NOT_FOUND', `cannot read git repository ${shown}: ${reason}`, {
      hint: 'check the URL, your network, and your credentials for private repositories',
    });
  }
  const refs: RemoteRef[] = [];
  for (const line of result.stdout.split('\n')) {
    const ref = line.split('\t')[1];
    if (!ref || ref.endsWith('^{}')) continue;
    if (ref.startsWith('refs/tags/')) refs.push({ name: ref.slice('refs/tags/'.length), kind: 'tag' });
    else if (ref.startsWith('refs/heads/')) refs.push({ name: ref.slice('refs/heads/'.length), kind: 'branch' });
  }
  return refs;
}

const byVersion = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

function available(refs: RemoteRef[], kind?: RemoteRef['kind']): string {
  const names = refs
    .filter((r) => !kind || r.kind === kind)
    .map((r) => r.name)
    .sort(byVersion);
  if (names.length === 0)
    return `the repository has no ${kind === 'tag' ? 'tags' : kind === 'branch' ? 'branches' : 'branches or tags'}`;
  const shown = names.slice(0, 15).join(', ');
  return `available: ${shown}${names.length > 15 ? ` (and ${names.length - 15} more)` : ''}`;
}

function selectTargets(spec: GitSpec, refs: RemoteRef[]): Target[] {
  const pattern = spec.tags ?? spec.branches;
  if (pattern !== undefined) {
    const kind = spec.tags !== undefined ? 'tag' : 'branch';
    const matches = picomatch(pattern);
    const names = refs
      .filter((r) => r.kind === kind && matches(r.name))
      .map((r) => r.name)
      .sort(byVersion);
    if (names.length === 0) {
      throw new BosunError(
        'NOT_FOUND',
        `no ${kind === 'tag' ? 'tags' : 'branches'} match '${pattern}' in ${spec.url}`,
        { hint: available(refs, kind) },
      );
    }
    return names.map((name) => ({ ref: name, commit: false, version: name }));
  }
  const ref = spec.ref;
  if (ref === undefined) return [{ ref: undefined, commit: false, version: spec.version ?? null }];
  const name = ref.replace(/^refs\/(heads|tags)\//, '');
  if (refs.some((r) => r.name === name)) return [{ ref: name, commit: false, version: spec.version ?? name }];
  if (/^[0-9a-f]{7,40}$/i.test(ref)) return [{ ref, commit: true, version: spec.version ?? ref }];
  throw new BosunError('NOT_FOUND', `ref '${ref}' not found in ${spec.url}`, { hint: available(refs) });
}

async function checkout(
  remote: string,
  target: Target,
  subdir: string | undefined,
  dir: string,
  ctx: AcquireContext,
): Promise<void> {
  const git = (args: string[]): Promise<unknown> =>
    runChecked('git', ['-c', 'advice.detachedHead=false', ...args], gitOptions(ctx, { timeoutMs: CLONE_TIMEOUT_MS }));
  const partial = subdir ? ['--filter=blob:none'] : [];
  if (target.commit) {
    // `clone --branch` takes names only: a commit is fetched into an empty repository.
    await git(['init', '-q', dir]);
    await git(['-C', dir, 'remote', 'add', 'origin', remote]);
    if (subdir) await git(['-C', dir, 'sparse-checkout', 'set', '--', subdir]);
    await git(['-C', dir, 'fetch', '-q', '--depth', '1', ...partial, 'origin', target.ref as string]);
    await git(['-C', dir, 'checkout', '-q', 'FETCH_HEAD']);
    return;
  }
  const branch = target.ref === undefined ? [] : ['--branch', target.ref];
  await git([
    'clone',
    '-q',
    '--depth',
    '1',
    '--single-branch',
    '--no-tags',
    ...branch,
    ...partial,
    ...(subdir ? ['--sparse'] : []),
    '--',
    remote,
    dir,
  ]);
  if (subdir) await git(['-C', dir, 'sparse-checkout', 'set', '--', subdir]);
}

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError, assertSlug } from '../../../core/index.js';
import type { AgentContext } from '../../runtime/types.js';

/**
 * Debian's interpreter, whose dist-packages hold python3-sklearn, python3-pandas and friends; a
 * python3 earlier on PATH (pyenv, a self-built one) cannot see them through --system-site-packages.
 */
const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * One virtual environment per scope (the PM's project), made on demand from the system python3
 * with its site-packages visible (Debian's scientific packages work offline) and without pip
 * (fast; pip is added the first time requirements are asked for). It is built in a temporary
 * folder and renamed into place, so two runs creating it at once both end with one complete
 * environment.
 */
export async function ensureVenv(ctx: AgentContext): Promise<string> {
  const scope = assertSlug(ctx.scope, 'scope');
  const dir = path.join(ctx.paths.workspaces, scope, '.venv');
  const python = path.join(dir, 'bin', 'python');
  if (
    await fs.access(python).then(
      () => true,
      () => false,
    )
  )
    return dir;
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  ctx.progress({ message: `creating the Python environment for ${scope}` });
  const interpreter = (await fs.access(SYSTEM_PYTHON).then(
    () => true,
    () => false,
  ))
    ? SYSTEM_PYTHON
    : 'python3';
  const result = await ctx.exec.runCommand(
    interpreter,
    ['-m', 'venv', '--system-site-packages', '--without-pip', tmp],
    {
      timeoutMs: 120_000,
      signal: ctx.signal,
    },
  );
  if (!result.ok) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw new BosunError(
      'VENV_FAILED',
      `python3 -m venv failed: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`,
      {
        hint: 'apt-get install -y python3-venv',
        details: { retryable: false },
      },
    );
  }
  try {
    await fs.rename(tmp, dir);
  } catch (err) {
    // Another run finished first: use its environment.
    await fs.rm(tmp, { recursive: true, force: true });
    if (
      !(await fs.access(python).then(
        () => true,
        () => false,
      ))
    )
      throw err;
  }
  return dir;
}

/**
 * Installs requirements with the environment's pip (bootstrapped by ensurepip on first use).
 * pip only reaches what this machine can: without an index or a wheel it fails, and that
 * failure is final for the run.
 */
export async function installRequirements(ctx: AgentContext, venv: string, requirements: string[]): Promise<void> {
  if (!requirements.length) return;
  const python = path.join(venv, 'bin', 'python');
  const fail = (what: string, output: string) =>
    new BosunError('REQUIREMENTS_FAILED', `${what}: ${output.trim().split('\n').slice(-4).join(' ')}`, {
      hint: 'only packages installable on this machine can be used (a local index or wheels via PIP_INDEX_URL / PIP_FIND_LINKS)',
      details: { retryable: false, requirements },
    });
  const hasPip = await ctx.exec.runCommand(python, ['-m', 'pip', '--version'], {
    timeoutMs: 30_000,
    signal: ctx.signal,
  });
  if (!hasPip.ok) {
    const ensure = await ctx.exec.runCommand(python, ['-m', 'ensurepip', '--default-pip'], {
      timeoutMs: 300_000,
      signal: ctx.signal,
    });
    if (!ensure.ok) throw fail('could not install pip into the environment', ensure.stderr || ensure.stdout);
  }
  ctx.progress({ message: `installing ${requirements.join(', ')}` });
  const install = await ctx.exec.runCommand(
    python,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--no-input',
      '--retries',
      '0',
      '--timeout',
      '15',
      ...requirements,
    ],
    {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      envAllowlist: [
        'PATH',
        'HOME',
        'LANG',
        'TMPDIR',
        'PIP_INDEX_URL',
        'PIP_EXTRA_INDEX_URL',
        'PIP_FIND_LINKS',
        'HTTP_PROXY',
        'HTTPS_PROXY',
        'NO_PROXY',
      ],
    },
  );
  if (!install.ok) throw fail(`pip could not install ${requirements.join(', ')}`, install.stderr || install.stdout);
}

/**
 * The installation the environment's interpreter comes from (`home` in pyvenv.cfg names its bin
 * folder): the sandbox must show it read-only when it is not a system directory (pyenv, /opt).
 */
export async function baseInstallation(venv: string): Promise<string | null> {
  const cfg = await fs.readFile(path.join(venv, 'pyvenv.cfg'), 'utf8').catch(() => '');
  const home = /^home\s*=\s*(.+)$/m.exec(cfg)?.[1]?.trim();
  return home && path.isAbsolute(home) ? path.dirname(home) : null;
}

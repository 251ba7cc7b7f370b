import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { BosunError } from '../../src/core/index.js';
import { runChecked, runCommand } from '../../src/exec/index.js';
import { eventually, isRunning, pidsIn } from './helpers.js';

const isRoot = process.getuid?.() === 0;

async function rejection(promise: Promise<unknown>): Promise<BosunError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BosunError);
  return err as BosunError;
}

describe('runCommand', () => {
  it('returns a structured result without throwing for a non-zero exit', async () => {
    const r = await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({
      command: 'sh',
      exitCode: 3,
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n',
      stdoutBytes: 4,
      stderrBytes: 4,
      stdoutTruncated: false,
      timedOut: false,
      aborted: false,
      ok: false,
    });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect((await runCommand('true', [])).ok).toBe(true);
  });

  it('passes arguments verbatim, never through a shell', async () => {
    const tricky = ['$HOME', '; echo pwned', "it's", '*', ''];
    const r = await runCommand('node', ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', ...tricky]);
    expect(JSON.parse(r.stdout)).toEqual(tricky);
  });

  it('kills the whole process tree on timeout, grandchildren included', async () => {
    const lines: string[] = [];
    const r = await runCommand('sh', ['-c', 'sleep 100 & echo $!; sleep 100 & echo $!; wait'], {
      timeoutMs: 400,
      onStdoutLine: (l) => lines.push(l),
    });
    expect(r.timedOut).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.signal).toBe('SIGTERM');
    expect(r.durationMs).toBeLessThan(1_900);
    const pids = pidsIn(lines);
    expect(pids).toHaveLength(2);
    expect(await eventually(() => pids.every((pid) => !isRunning(pid)))).toBe(true);
  });

  it('sends SIGKILL after the grace period to a tree that ignores SIGTERM', async () => {
    const lines: string[] = [];
    // `trap '' TERM` is inherited by the background sleep: neither dies of SIGTERM.
    const r = await runCommand('sh', ['-c', "trap '' TERM; sleep 100 & echo $!; wait"], {
      timeoutMs: 800,
      killGraceMs: 400,
      onStdoutLine: (l) => lines.push(l),
    });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.durationMs).toBeGreaterThanOrEqual(1_150);
    const [pid] = pidsIn(lines);
    expect(await eventually(() => !isRunning(pid!))).toBe(true);
  });

  it('caps captured output, keeping head and tail, with bounded memory', async () => {
    const mib = 200;
    const script = `
      const chunk = Buffer.alloc(1 << 20, 'x');
      process.stdout.write('HEAD-');
      for (let i = 0; i < ${mib}; i++) process.stdout.write(chunk);
      process.stdout.write('-TAIL\\n');
      process.stderr.write('e'.repeat(5000));`;
    const baseline = process.memoryUsage().rss;
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - baseline)), 10);
    const r = await runCommand('node', ['-e', script], { maxOutputBytes: 64 * 1024 });
    clearInterval(sampler);
    const total = mib * 1024 * 1024 + 'HEAD-'.length + '-TAIL\n'.length;
    expect(r.ok).toBe(true);
    expect(r.stdoutBytes).toBe(total);
    expect(r.stdoutTruncated).toBe(true);
    expect(r.stdout.startsWith('HEAD-xxx')).toBe(true);
    expect(r.stdout.endsWith('xxx-TAIL\n')).toBe(true);
    expect(r.stdout).toContain(`\n…[${total - 64 * 1024} bytes omitted]…\n`);
    expect(r.stdout.length).toBeLessThan(64 * 1024 + 100);
    expect({ stderrBytes: r.stderrBytes, stderrTruncated: r.stderrTruncated }).toEqual({
      stderrBytes: 5000,
      stderrTruncated: false,
    });
    // Unbounded buffering would hold 200 MiB; garbage chunks awaiting GC account for what remains.
    expect(peak).toBeLessThan(100 * 1024 * 1024);
  });

  it('passes only allowlisted variables unless told otherwise', async () => {
    process.env.BOSUN_TEST_SECRET = 's3cret';
    try {
      const show = ['-e', 'console.log(JSON.stringify(process.env))'];
      const plain = JSON.parse((await runCommand('node', show)).stdout) as Record<string, string>;
      expect(plain.BOSUN_TEST_SECRET).toBeUndefined();
      expect(plain.PATH).toBe(process.env.PATH);
      expect(
        Object.keys(plain).every((k) =>
          ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'USER', 'LOGNAME'].includes(k),
        ),
      ).toBe(true);

      const allowed = JSON.parse(
        (await runCommand('node', show, { envAllowlist: ['PATH', 'BOSUN_TEST_SECRET'] })).stdout,
      ) as Record<string, string>;
      expect(Object.keys(allowed).sort()).toEqual(['BOSUN_TEST_SECRET', 'PATH']);

      const inherited = JSON.parse((await runCommand('node', show, { inheritEnv: true })).stdout) as Record<
        string,
        string
      >;
      expect(inherited.BOSUN_TEST_SECRET).toBe('s3cret');

      const extra = JSON.parse(
        (await runCommand('node', show, { env: { EXTRA: 'yes', LANG: undefined }, envAllowlist: ['PATH', 'LANG'] }))
          .stdout,
      ) as Record<string, string>;
      expect(Object.keys(extra).sort()).toEqual(['EXTRA', 'PATH']);
    } finally {
      delete process.env.BOSUN_TEST_SECRET;
    }
  });

  it('runs in the given cwd and refuses a missing one', async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-exec-')));
    try {
      expect((await runCommand('pwd', [], { cwd: dir })).stdout).toBe(`${dir}\n`);
      const err = await rejection(runCommand('pwd', [], { cwd: path.join(dir, 'missing') }));
      expect(err.code).toBe('INVALID_INPUT');
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('writes input to stdin, and gives /dev/null without it', async () => {
    expect((await runCommand('cat', [], { input: 'hello\nworld' })).stdout).toBe('hello\nworld');
    expect((await runCommand('cat', [], { input: Buffer.from([0x68, 0x69]) })).stdout).toBe('hi');
    const r = await runCommand('cat', [], { timeoutMs: 5_000 });
    expect(r).toMatchObject({ ok: true, stdout: '' });
  });

  it('reports lines to callbacks, progress redraws (\\r) included', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await runCommand('sh', ['-c', "printf 'a\\nb\\r\\nc'; printf '10%%\\r50%%\\r100%%\\n' >&2"], {
      onStdoutLine: (l) => out.push(l),
      onStderrLine: (l) => err.push(l),
    });
    expect(out).toEqual(['a', 'b', 'c']);
    expect(err).toEqual(['10%', '50%', '100%']);
  });

  it('kills the tree when the abort signal fires', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const r = await runCommand('sh', ['-c', 'sleep 100 & echo $!; wait'], {
      signal: controller.signal,
      onStdoutLine: (l) => {
        lines.push(l);
        controller.abort();
      },
    });
    expect(r).toMatchObject({ aborted: true, timedOut: false, ok: false, signal: 'SIGTERM' });
    const [pid] = pidsIn(lines);
    expect(await eventually(() => !isRunning(pid!))).toBe(true);

    const before = await runCommand('sleep', ['100'], { signal: AbortSignal.abort() });
    expect(before).toMatchObject({ aborted: true, exitCode: null, ok: false });
  });

  it('returns once the child exits even if a background grandchild holds its output open', async () => {
    const lines: string[] = [];
    const r = await runCommand('sh', ['-c', 'sleep 100 & echo $!'], { onStdoutLine: (l) => lines.push(l) });
    expect(r).toMatchObject({ exitCode: 0, ok: true });
    expect(r.durationMs).toBeLessThan(3_000);
    const [pid] = pidsIn(lines);
    expect(await eventually(() => !isRunning(pid!), 3_000)).toBe(true);
  });

  it('throws TOOL_MISSING for a command that does not exist', async () => {
    const err = await rejection(runCommand('bosun-no-such-tool-4711', ['x']));
    expect(err.code).toBe('TOOL_MISSING');
    expect(err.message).toContain('bosun-no-such-tool-4711');
    expect((await rejection(runCommand('/nonexistent/bin/tool', []))).code).toBe('TOOL_MISSING');
  });

  it('rejects bad options', async () => {
    expect((await rejection(runCommand('true', [], { timeoutMs: -1 }))).code).toBe('INVALID_INPUT');
    expect((await rejection(runCommand('true', [], { timeout: 5 } as never))).code).toBe('INVALID_INPUT');
    expect((await rejection(runCommand('', []))).code).toBe('INVALID_INPUT');
    expect((await rejection(runCommand('echo', ['a\0b']))).code).toBe('INVALID_INPUT');
  });

  it.skipIf(!isRoot)('runs as another user with uid/gid', async () => {
    const r = await runCommand('id', ['-u'], { uid: 65534, gid: 65534, cwd: '/' });
    expect(r.stdout.trim()).toBe('65534');
  });
});

describe('runChecked', () => {
  it('returns the result when ok', async () => {
    expect((await runChecked('echo', ['fine'])).stdout).toBe('fine\n');
  });

  it('throws EXEC_FAILED with the stderr tail', async () => {
    const err = await rejection(runChecked('sh', ['-c', 'echo noise; echo "fatal: no such ref" >&2; exit 128']));
    expect(err.code).toBe('EXEC_FAILED');
    expect(err.message).toContain('exited with code 128');
    expect(err.message).toContain('fatal: no such ref');
    expect(err.details).toMatchObject({ command: 'sh', exitCode: 128 });
  });

  it('throws EXEC_TIMEOUT on timeout', async () => {
    const err = await rejection(runChecked('sleep', ['100'], { timeoutMs: 200 }));
    expect(err.code).toBe('EXEC_TIMEOUT');
    expect(err.message).toContain('timed out after 200 ms');
  });
});

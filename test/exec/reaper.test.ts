import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { runCommand } from '../../src/exec/index.js';
import { eventually, isRunning, pidsIn } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = path.join(root, 'test/exec/fixtures/orphans.ts');

/** Runs the fixture in its own Node process and returns how it ended and the pids it started. */
async function endParent(how: string) {
  const r = await runCommand('node', ['--import', 'tsx', fixture, how], { cwd: root, timeoutMs: 15_000 });
  return { exitCode: r.exitCode, signal: r.signal, pids: pidsIn(r.stdout.split('\n')), stderr: r.stderr };
}

describe('children of an exiting Node process', () => {
  it('are killed when Node exits normally', async () => {
    const r = await endParent('exit');
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.pids).toHaveLength(3);
    expect(await eventually(() => r.pids.every((pid) => !isRunning(pid)))).toBe(true);
  });

  it.each(['SIGTERM', 'SIGINT'])('are killed on %s, after their grace, and Node still dies of it', async (signal) => {
    const r = await endParent(signal);
    expect(r).toMatchObject({ exitCode: null, signal, stderr: '' });
    expect(r.pids).toHaveLength(3);
    expect(await eventually(() => r.pids.every((pid) => !isRunning(pid)))).toBe(true);
  });
});

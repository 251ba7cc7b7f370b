import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxed, sandboxSupport } from '../../src/exec/index.js';

const support = await sandboxSupport();

describe.skipIf(!support.bubblewrap.ok)(`runSandboxed (${support.bubblewrap.detail})`, () => {
  let root: string;
  let work: string;
  let input: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-sbx-'));
    work = path.join(root, 'work');
    input = path.join(root, 'input');
    fs.mkdirSync(work);
    fs.mkdirSync(input);
    fs.writeFileSync(path.join(input, 'data.txt'), 'readable');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'hidden');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes only in the work folder, reads what it was given, sees nothing else of the host', async () => {
    const script = [
      'cat "$1/data.txt"; echo',
      'echo made > out.txt',
      'echo x > "$1/planted.txt" 2>/dev/null && echo WROTE-INPUT',
      'cat "$2" 2>/dev/null && echo SAW-SECRET',
      'echo x > /usr/planted 2>/dev/null && echo WROTE-USR',
      'ls /proc | grep -c "^[0-9]"',
    ].join('\n');
    const before = fs.statSync(work);
    const result = await runSandboxed(['sh', '-c', script, 'sh', input, path.join(root, 'secret.txt')], {
      workDir: work,
      readOnly: [input],
      memoryMb: 128,
    });
    expect(result.stderr).toMatch(/planted.txt: Read-only file system|planted.txt: Permission denied/);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('readable');
    expect(result.stdout).not.toMatch(/WROTE-INPUT|SAW-SECRET|WROTE-USR/);
    expect(Number(lines.at(-1))).toBeLessThan(5); // its own processes only
    expect(fs.readFileSync(path.join(work, 'out.txt'), 'utf8')).toBe('made\n');
    // As root the folder is lent to the sandbox user and given back, new files included.
    expect(fs.statSync(path.join(work, 'out.txt')).uid).toBe(before.uid);
    expect(fs.statSync(work).uid).toBe(before.uid);
    expect(result.sandbox).toMatchObject({
      isolation: 'bubblewrap',
      fs: 'jail',
      network: 'isolated',
      capabilities: 'none',
    });
  });

  it('refuses limits beyond its caps and relative paths, saying which', async () => {
    await expect(runSandboxed(['true'], { workDir: work, memoryMb: 1 << 20 })).rejects.toThrow(/memoryMb/);
    await expect(runSandboxed(['true'], { workDir: 'relative', memoryMb: 64 })).rejects.toThrow(/workDir/);
  });
});

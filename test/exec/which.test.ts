import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { probeTool, which } from '../../src/exec/index.js';

describe('which', () => {
  it('finds tools on PATH and checks absolute paths directly', async () => {
    const git = await which('git');
    expect(git).not.toBeNull();
    expect(path.isAbsolute(git!)).toBe(true);
    expect(await which(git!)).toBe(git);
    expect(await which('node')).not.toBeNull();
    expect(await which('bosun-no-such-tool-4711')).toBeNull();
    expect(await which('/nonexistent/bin/git')).toBeNull();
  });

  it('ignores files that are not executable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-which-'));
    try {
      const file = path.join(dir, 'tool');
      fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
      expect(await which(file)).toBeNull();
      fs.chmodSync(file, 0o755);
      expect(await which(file)).toBe(file);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('probeTool', () => {
  it('reports path and version of present tools', async () => {
    const git = await probeTool('git');
    expect(git).toMatchObject({ name: 'git', ok: true });
    expect(git.version).toMatch(/^\d+\.\d+/);
    const node = await probeTool('node');
    expect(node.version).toBe(process.versions.node);
  });

  it('reports a missing tool without throwing', async () => {
    const probe = await probeTool('bosun-no-such-tool-4711');
    expect(probe).toMatchObject({ name: 'bosun-no-such-tool-4711', path: null, version: null, ok: false });
    expect(probe.error).toContain('not found');
  });

  it('takes version arguments and a pattern with a capture group, and reads stderr too', async () => {
    const probe = await probeTool('sh', {
      versionArgs: ['-c', 'echo "build 7 (release 3.1-beta)" >&2'],
      versionPattern: /release (\S+)\)/,
    });
    expect(probe).toMatchObject({ ok: true, version: '3.1-beta' });
  });

  it('reports a tool that fails or hangs', async () => {
    const failing = await probeTool('sh', { versionArgs: ['-c', 'echo "unknown option" >&2; exit 2'] });
    expect(failing).toMatchObject({ ok: false, version: null, error: 'exited with code 2: unknown option' });
    const hanging = await probeTool('sleep', { versionArgs: ['100'], timeoutMs: 200 });
    expect(hanging).toMatchObject({ ok: false, error: 'timed out after 200 ms' });
  });
});

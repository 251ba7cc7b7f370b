import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAgent, type AgentRegistry, type ResultEnvelope } from '../../src/agents/index.js';
import { agentsFixture, type AgentsFixture } from './fixtures.js';

interface PythonOutputs {
  exitCode: number | null;
  result: unknown;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stdoutTruncated: boolean;
  files: string[];
  exception: string | null;
  sandbox: { network: string; isolation: string; scope: string };
}

describe('the Python agent', () => {
  let f: AgentsFixture;
  let registry: AgentRegistry;
  let scratch: string;
  let n = 0;
  const newDir = () => {
    const dir = path.join(scratch, `run-${++n}`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  const run = async (
    input: Record<string, unknown>,
    options: { workDir?: string; scope?: string; timeoutSeconds?: number; cache?: boolean } = {},
  ) => {
    const workDir = options.workDir ?? newDir();
    const envelope = await executeAgent({
      registry,
      agentId: 'python',
      skillId: 'python.run',
      input,
      workDir,
      scope: options.scope ?? 'tests',
      noCache: !options.cache,
      ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
    });
    return { envelope, outputs: envelope.outputs as unknown as PythonOutputs, workDir };
  };

  beforeAll(async () => {
    f = await agentsFixture();
    registry = await f.open();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-python-'));
  });
  afterAll(async () => {
    await f.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("runs a snippet in the scope's own virtual environment and reads a JSON result on the last line", async () => {
    const { envelope, outputs } = await run({
      code: 'import sys, json\nprint("working")\nprint(json.dumps({"prefix": sys.prefix, "sum": 1 + 2}))',
    });
    expect(envelope.status).toBe('completed');
    const venv = path.join(f.paths.workspaces, 'tests', '.venv');
    expect(outputs.result).toEqual({ prefix: venv, sum: 3 });
    expect(outputs.stdout).toBe(
      `working\n${JSON.stringify({ prefix: venv, sum: 3 }).replace(/,/g, ', ').replace(/:/g, ': ')}\n`,
    );
    expect(fs.existsSync(path.join(venv, 'pyvenv.cfg'))).toBe(true);
  });

  it('runs a file from the task folder with arguments and stdin, and lists the files it wrote as artifacts', async () => {
    const dir = newDir();
    fs.writeFileSync(
      path.join(dir, 'report.py'),
      'import sys, os\nfrom helper import shout\nos.makedirs("out", exist_ok=True)\nopen("out/report.csv", "w").write("a,b\\n1,2\\n")\nprint(shout(" ".join(sys.argv[1:]) + sys.stdin.read()))\n',
    );
    fs.writeFileSync(path.join(dir, 'helper.py'), 'def shout(s):\n    return s.upper()\n');
    const { envelope, outputs } = await run({ file: 'report.py', args: ['one', 'two'], stdin: '!' }, { workDir: dir });
    expect(envelope.status).toBe('completed');
    expect(outputs.stdout).toBe('ONE TWO!\n');
    expect(outputs.result).toBeNull();
    expect(outputs.files).toEqual(['out/report.csv']);
    expect(envelope.artifacts).toEqual([
      {
        name: 'out/report.csv',
        mediaType: 'text/csv',
        path: path.join(dir, 'out', 'report.csv'),
        sha256: expect.any(String),
        bytes: 8,
      },
    ]);
  });

  it('reports a syntax error as a failed run that a retry cannot fix', async () => {
    const { envelope, outputs } = await run({ code: 'def broken(:\n    pass' });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toMatchObject({
      code: 'SCRIPT_FAILED',
      retryable: false,
      message: expect.stringMatching(/^the script exited with code 1: SyntaxError: /),
    });
    expect(outputs.exitCode).toBe(1);
    expect(outputs.exception).toMatch(/^SyntaxError/);
  });

  it('stops a script that loops forever at its timeout', async () => {
    const started = Date.now();
    const { envelope } = await run({ code: 'while True:\n    pass', timeoutSeconds: 1 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toEqual({
      code: 'TIMEOUT',
      message: 'the script ran longer than 1 s and was stopped',
      retryable: false,
    });
  });

  it('keeps the head and tail of 1 GB of output and stays within bounded memory', async () => {
    const rssBefore = process.memoryUsage().rss;
    const { envelope, outputs } = await run({
      code: 'import sys\nchunk = "x" * (1 << 20)\nsys.stdout.write("START\\n")\nfor _ in range(1024):\n    sys.stdout.write(chunk)\nsys.stdout.write("\\nEND\\n")',
      maxOutputBytes: 65536,
    });
    expect(envelope.status).toBe('completed');
    expect(outputs.stdoutBytes).toBeGreaterThan(2 ** 30);
    expect(outputs.stdoutTruncated).toBe(true);
    expect(outputs.stdout.startsWith('START\n')).toBe(true);
    expect(outputs.stdout.endsWith('\nEND\n')).toBe(true);
    expect(outputs.stdout.length).toBeLessThan(70_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 2 ** 20);
  }, 120_000);

  it('fails an allocation beyond the memory limit with MemoryError', async () => {
    const { envelope } = await run({ code: 'block = bytearray(600 * 1024 * 1024)\nprint(len(block))', memoryMb: 256 });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toEqual({
      code: 'MEMORY_LIMIT',
      message: 'the script ran out of its 256 MB of memory',
      retryable: false,
    });
  });

  it('leaves no forked process behind', async () => {
    const dir = newDir();
    const code = [
      'import os, time',
      'for i in range(3):',
      '    if os.fork() == 0:',
      '        while True:',
      '            with open(f"beat-{i}", "w") as f:',
      '                f.write(str(time.time()))',
      '            time.sleep(0.05)',
      'time.sleep(0.3)',
      'print("parent leaves its children running")',
    ].join('\n');
    const { envelope } = await run({ code }, { workDir: dir });
    expect(envelope.status).toBe('completed');
    const beats = () => [0, 1, 2].map((i) => fs.readFileSync(path.join(dir, `beat-${i}`), 'utf8'));
    await new Promise((r) => setTimeout(r, 300));
    const then = beats();
    await new Promise((r) => setTimeout(r, 500));
    expect(beats()).toEqual(then);
  });

  it('has no network unless allowed', async () => {
    const server = http.createServer((_req, res) => res.end('reachable'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const code = `import urllib.request\nprint(urllib.request.urlopen(${JSON.stringify(url)}, timeout=5).read().decode())`;
    try {
      const closed = await run({ code });
      expect(closed.outputs.sandbox).toMatchObject({ network: 'isolated', isolation: 'bubblewrap', fs: 'jail' });
      expect(closed.envelope.status).toBe('failed');
      expect(closed.outputs.exception).toMatch(/URLError|ConnectionRefusedError|OSError/);
      const open = await run({ code, allowNetwork: true });
      expect(open.outputs.sandbox.network).toBe('allowed');
      expect(open.envelope.status).toBe('completed');
      expect(open.outputs.stdout).toBe('reachable\n');
    } finally {
      server.close();
    }
  });

  it('refuses scripts outside the task folder and both or neither of code and file', async () => {
    const outside = path.join(scratch, 'outside.py');
    fs.writeFileSync(outside, 'print("should not run")');
    const { envelope } = await run({ file: '../outside.py' });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toMatchObject({
      code: 'INVALID_INPUT',
      retryable: false,
      message: expect.stringMatching(/script \.\.\/outside\.py is outside the task folder/),
    });
    const missing = await run({ file: 'nope.py' });
    expect(missing.envelope.error?.message).toMatch(/script nope\.py does not exist in the task folder/);
    const both = await run({ code: 'print(1)', file: 'x.py' });
    expect(both.envelope.status).toBe('rejected');
    expect(both.envelope.error?.message).toContain('must match exactly one of: {code} | {file} (matches 2)');
  });

  it('fails clearly when requirements cannot be installed here, and rejects option-like ones', async () => {
    const { envelope } = await run({
      code: 'import nothing',
      requirements: ['bosun-package-that-does-not-exist==1.0'],
    });
    expect(envelope.status).toBe('failed');
    expect(envelope.error).toMatchObject({
      code: 'REQUIREMENTS_FAILED',
      retryable: false,
      message: expect.stringMatching(/^pip could not install bosun-package-that-does-not-exist==1.0: /),
    });
    const sneaky = await run({ code: 'print(1)', requirements: ['--index-url=http://evil.example/'] });
    expect(sneaky.envelope.status).toBe('rejected');
  }, 120_000);

  it('reuses a cached result only for the same script content in the same scope', async () => {
    const dir = newDir();
    const script = path.join(dir, 'count.py');
    const counter = path.join(dir, 'runs.txt');
    fs.writeFileSync(
      script,
      'import os\nn = int(open("runs.txt").read()) + 1 if os.path.exists("runs.txt") else 1\nopen("runs.txt", "w").write(str(n))\nprint("v1")\n',
    );
    const first = await run({ file: 'count.py' }, { workDir: dir, cache: true });
    const again = await run({ file: 'count.py' }, { workDir: dir, cache: true });
    expect(again.envelope.metrics.cacheHit).toBe(1);
    expect(fs.readFileSync(counter, 'utf8')).toBe('1');
    fs.writeFileSync(script, fs.readFileSync(script, 'utf8').replace('v1', 'v2'));
    const edited = await run({ file: 'count.py' }, { workDir: dir, cache: true });
    expect(edited.envelope.metrics.cacheHit).toBeUndefined();
    expect(edited.outputs.stdout).toBe('v2\n');
    const otherScope = await run({ file: 'count.py' }, { workDir: dir, cache: true, scope: 'elsewhere' });
    expect(otherScope.envelope.metrics.cacheHit).toBeUndefined();
    expect(fs.readFileSync(counter, 'utf8')).toBe('3');
    expect(first.outputs.stdout).toBe('v1\n');
  });

  it('keeps one environment per scope', async () => {
    const code = 'import sys, json\nprint(json.dumps(sys.prefix))';
    const a = await run({ code }, { scope: 'client-a' });
    const b = await run({ code }, { scope: 'client-b' });
    expect(a.outputs.result).toBeNull(); // a JSON string is not an object or array
    expect(a.outputs.stdout.trim()).toBe(JSON.stringify(path.join(f.paths.workspaces, 'client-a', '.venv')));
    expect(b.outputs.stdout.trim()).toBe(JSON.stringify(path.join(f.paths.workspaces, 'client-b', '.venv')));
    const bad: ResultEnvelope = (await run({ code }, { scope: '../escape' })).envelope;
    expect(bad.status).toBe('failed');
    expect(bad.error?.code).toBe('INVALID_INPUT');
  });
});

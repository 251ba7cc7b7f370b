/**
 * `npm run chaos [-- --rounds N]`: hostile inputs and faults of issue 11, replayed N rounds
 * (default 3), loopback only, bounded in time. Prints probe / expected / observed / pass and
 * exits 1 on any failure. Not part of `npm test`.
 *
 * Covered: the sandbox escapes (setns into a host process's network namespace, a secret file
 * outside the jail, /proc/<pid>/environ of a host process, 4 x 400 MB under 512 MB, 300 forks),
 * kill -9 of a sandboxed run at a random moment (nothing of it may survive), the HTTP guard
 * (prefix origins, rebound Host, non-Bearer tokens, unauthenticated writes) on a real server,
 * `lake sql`'s file confinement, and (bench/chaos-faults.ts, on a throw-away home with its own
 * embedded PostgreSQL) kill -9 of a docs sync, of PostgreSQL during a sync, of a lake writer and
 * of a worker at random moments. `--no-faults` leaves the last group out.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { silentLogger } from '../src/core/index.js';
import { runSandboxed, sandboxSupport } from '../src/exec/index.js';
import { withConfinedDuckDB } from '../src/lake/duckdb.js';
import { serveHttp } from '../src/mcp/http.js';
import { defineTool } from '../src/mcp/tool.js';
import { openFaultBench } from './chaos-faults.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 3) || 3;
const rows: { probe: string; expected: string; observed: string; pass: boolean }[] = [];
const record = (probe: string, expected: string, observed: string) =>
  rows.push({ probe, expected, observed, pass: observed === expected });

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-chaos-'));
const secret = path.join(root, 'credentials.json');
fs.writeFileSync(secret, '{"password":"hunter2"}', { mode: 0o600 });
const holder = spawn('sleep', ['600'], { env: { ...process.env, CHAOS_SECRET: 'hunter2-env' } });

async function py(code: string, options: { memoryMb?: number } = {}) {
  const workDir = fs.mkdtempSync(path.join(root, 'run-'));
  const r = await runSandboxed(['/usr/bin/python3', '-c', code], {
    workDir,
    memoryMb: options.memoryMb ?? 1024,
    timeoutMs: 30_000,
  });
  const out = r.stdout.trim().split('\n').at(-1) || r.stderr.trim().split('\n').at(-1) || `exit ${r.exitCode}`;
  return { out, r };
}

async function sandboxProbes(): Promise<void> {
  const escape = await py(`
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
me, res = os.readlink("/proc/self/ns/net"), "no-foreign-ns"
for p in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        ns = os.readlink(f"/proc/{p}/ns/net")
    except OSError:
        continue
    if ns != me:
        res = "joined" if libc.setns(os.open(f"/proc/{p}/ns/net", os.O_RDONLY), 0x40000000) == 0 else "setns-refused"
        break
print(res)`);
  record('setns into a host net namespace', 'no-foreign-ns', escape.out);
  const read = await py(`
try:
    open(${JSON.stringify(secret)}).read(); print("read")
except OSError as e:
    print(type(e).__name__)`);
  record('read a secret outside the jail', 'FileNotFoundError', read.out);
  const environ = await py(`
import glob
hits = 0
for p in glob.glob("/proc/*/environ"):
    try:
        hits += b"hunter2-env" in open(p, "rb").read()
    except OSError:
        pass
print(f"leaks={hits}")`);
  record('/proc/*/environ of a host process', 'leaks=0', environ.out);
  const memory = await py(
    `
import os, time
kids = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        b = bytearray(400 << 20)
        for j in range(0, len(b), 4096): b[j] = 1
        time.sleep(1); os._exit(0)
    kids.append(pid)
statuses = [os.waitpid(p, 0)[1] for p in kids]
ok = sum(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0 for st in statuses)
print("all-fit" if ok == 4 else "capped")`,
    { memoryMb: 512 },
  );
  record(`4 x 400 MB under 512 MB (${memory.r.sandbox.memory})`, 'capped', memory.out);
  const forks = await py(`
import os, time
n = 0
try:
    for i in range(300):
        if os.fork() == 0:
            time.sleep(3); os._exit(0)
        n += 1
except OSError:
    pass
print("capped" if n < 300 else "300-forks")`);
  const caps = await py(
    `print([l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0], __import__("os").getuid() != 0)`,
  );
  record('capabilities, uid', '0000000000000000 True', caps.r.stdout.trim());
  record(`300 forks (${forks.r.sandbox.pids})`, 'capped', forks.out);

  // kill -9 of a sandboxed run at a random moment: none of its processes may survive.
  const marker = `chaos-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const controller = new AbortController();
  const workDir = fs.mkdtempSync(path.join(root, 'kill-'));
  const run = runSandboxed(
    ['/usr/bin/python3', '-c', `import os, time\nfor i in range(5):\n    os.fork()\ntime.sleep(60)`, marker],
    { workDir, memoryMb: 512, signal: controller.signal, killGraceMs: 0, timeoutMs: 60_000 },
  );
  await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 800));
  controller.abort();
  await run;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const survivors = fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
  record('kill a sandboxed run mid-way', 'survivors=0', `survivors=${survivors.length}`);
}

async function httpProbes(): Promise<void> {
  const createServer = () => {
    const server = new McpServer({ name: 'chaos', version: '1' }, { capabilities: { tools: {} } });
    defineTool(
      server,
      {
        name: 'plant',
        title: 'Plant',
        description: 'changes state',
        input: {},
        output: { ok: z.boolean() },
        run: async () => ({ structured: { ok: true }, text: 'planted' }),
      },
      { logger: silentLogger, nextSteps: {} },
    );
    return server;
  };
  const running = await serveHttp({ host: '127.0.0.1', port: 0, createServer });
  const guarded = await serveHttp({ host: '127.0.0.1', port: 0, token: 'chaos-token-0123456789', createServer });
  const call = (url: string, headers: Record<string, string>, method = 'tools/list', params: object = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    }).then((r) => String(r.status));
  try {
    record(
      'Origin 127.0.0.1.attacker.example',
      '403',
      await call(running.url, { origin: 'http://127.0.0.1.attacker.example' }),
    );
    record(
      'Origin localhost.attacker.example',
      '403',
      await call(running.url, { origin: 'http://localhost.attacker.example' }),
    );
    record(
      'unauthenticated state-changing tool',
      '401',
      await call(running.url, {}, 'tools/call', { name: 'plant', arguments: {} }),
    );
    record('Authorization without Bearer', '401', await call(guarded.url, { authorization: 'chaos-token-0123456789' }));
    record('Bearer <token>', '200', await call(guarded.url, { authorization: 'Bearer chaos-token-0123456789' }));
  } finally {
    await running.close();
    await guarded.close();
  }
}

async function lakeProbes(): Promise<void> {
  const lakeDir = path.join(root, 'lake');
  fs.mkdirSync(lakeDir, { recursive: true });
  for (const [probe, sql] of [
    ["read_text('/etc/passwd')", `SELECT * FROM read_text('/etc/passwd')`],
    ["glob('/etc/*')", `SELECT * FROM glob('/etc/*')`],
    ['read_text(credentials.json)', `SELECT * FROM read_text('${secret}')`],
  ] as const) {
    const observed = await withConfinedDuckDB([lakeDir], (conn) => conn.runAndReadAll(sql)).then(
      () => 'read',
      (err: Error) => (/Permission Error/.test(err.message) ? 'refused' : err.message.split('\n')[0]!),
    );
    record(`lake sql ${probe}`, 'refused', observed);
  }
}

const started = Date.now();
const support = await sandboxSupport();
const faults = process.argv.includes('--no-faults') ? null : await openFaultBench(path.join(root, 'faults'));
try {
  for (let round = 1; round <= rounds; round++) {
    const t0 = Date.now();
    if (support.bubblewrap.ok) await sandboxProbes();
    else record('sandbox available', 'bubblewrap', support.bubblewrap.detail);
    const sandboxS = ((Date.now() - t0) / 1000).toFixed(1);
    await httpProbes();
    await lakeProbes();
    const faultTimes = (await faults?.round(round, record)) ?? 'faults skipped';
    process.stderr.write(
      `round ${round}/${rounds} done at ${((Date.now() - started) / 1000).toFixed(0)} s (sandbox ${sandboxS} s, ${faultTimes})\n`,
    );
  }
} finally {
  await faults?.close();
  holder.kill('SIGKILL');
  fs.rmSync(root, { recursive: true, force: true });
}

// One line per probe: how many rounds passed, and the first observation that did not.
const byProbe = new Map<string, { expected: string; observed: Set<string>; passed: number; total: number }>();
for (const r of rows) {
  const e = byProbe.get(r.probe) ?? { expected: r.expected, observed: new Set(), passed: 0, total: 0 };
  e.observed.add(r.observed);
  e.passed += r.pass ? 1 : 0;
  e.total += 1;
  byProbe.set(r.probe, e);
}
const table = [
  ['probe', 'expected', 'observed', 'pass'],
  ...[...byProbe].map(([probe, e]) => [probe, e.expected, [...e.observed].join(' | '), `${e.passed}/${e.total}`]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log(
  `\n${rounds} rounds in ${((Date.now() - started) / 1000).toFixed(1)} s; isolation: ${support.bubblewrap.detail}; limits: ${support.limits}${support.cgroup ? ` (cgroup ${support.cgroup})` : ''}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
process.exit(rows.every((r) => r.pass) ? 0 : 1);

/**
 * The fault half of `npm run chaos`: kill -9 of a docs sync, of PostgreSQL during a sync, of a
 * lake writer and of a worker, each at a random moment, on a throw-away Bosun home with its own
 * embedded PostgreSQL, driven through the real CLI (`bin/bosun.js`) as a user would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Record = (probe: string, expected: string, observed: string) => void;

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bosun.js');
const ROWS = 500_000;
const PAGES = 300;

interface Cli {
  code: number | null;
  stdout: string;
  json: any;
}

/** A command's JSON answer, or the last line of streamed output (a sync's progress lines end with the outcome). */
function parseOutput(stdout: string): any {
  for (const text of [stdout, stdout.trim().split('\n').at(-1) ?? '']) {
    try {
      return JSON.parse(text);
    } catch {
      // Not this form: try the next.
    }
  }
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));

export async function openFaultBench(root: string) {
  const home = path.join(root, 'home');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BOSUN_HOME: home,
    BOSUN_LOG_LEVEL: 'error',
    // A killed worker is noticed after 6 s rather than 30, so a round stays short.
    BOSUN_WORKER_DEAD_AFTER_SECONDS: '6',
  };
  delete env.BOSUN_DATABASE_URL;

  const start = (args: string[]): ChildProcess => spawn(process.execPath, [bin, ...args], { env, stdio: 'pipe' });
  const cli = (args: string[], timeoutMs = 120_000): Promise<Cli> =>
    new Promise((resolve) => {
      const child = start(args);
      let stdout = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.resume();
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        const json = parseOutput(stdout);
        resolve({ code, stdout, json });
      });
    });
  /** Runs the command and kills it with SIGKILL after `afterMs`; resolves once it is gone. */
  const killedAfter = (child: ChildProcess, afterMs: number) =>
    new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), afterMs);
      child.stdout?.resume();
      child.stderr?.resume();
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

  const docsDir = path.join(root, 'docs');
  fs.mkdirSync(docsDir, { recursive: true });
  const writePages = (round: number) => {
    for (let i = 0; i < PAGES; i++) {
      const body = Array.from(
        { length: 6 },
        (_, s) => `## Section ${s}\n\n` + `round ${round} tide keel mast `.repeat(60),
      );
      fs.writeFileSync(path.join(docsDir, `page${i}.md`), `# Page ${i} of round ${round}\n\n${body.join('\n\n')}\n`);
    }
  };
  const csv = path.join(root, 'rows.csv');
  fs.writeFileSync(
    csv,
    'id,name,amount\n' + Array.from({ length: ROWS }, (_, i) => `${i},n${i},${i / 2}`).join('\n') + '\n',
  );
  const slowTask = path.join(root, 'slow.json');

  const must = (what: string, r: Cli) => {
    if (r.code !== 0) throw new Error(`chaos setup: ${what} exited ${r.code}: ${r.stdout.slice(0, 400)}`);
    return r;
  };
  must('bosun up', await cli(['up', '--json']));
  writePages(0);
  must('docs add', await cli(['docs', 'add', 'chaos', docsDir, '--json']));
  must('docs sync', await cli(['docs', 'sync', 'chaos', '--json']));
  must('lake import', await cli(['lake', 'import', 'chaos.rows', csv, '--create', '--json']));
  must('project new', await cli(['project', 'new', 'chaos', '--json']));
  let tasks = 0;

  const postmasterPid = () => {
    const pidFile = path.join(fs.realpathSync(path.join(home, 'postgres', 'data')), 'postmaster.pid');
    return Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  };
  const lastSync = async () =>
    ((await cli(['docs', 'show', 'chaos', '--json'])).json?.lastSync?.status as string) ?? '?';
  const pagesOf = async () =>
    ((await cli(['docs', 'show', 'chaos', '--json'])).json?.versions?.[0]?.pages as number | undefined) ?? -1;

  /** A sync killed at a random moment is never left "running", and the next one completes. */
  async function killSync(round: number, record: Record) {
    writePages(round);
    const code = await killedAfter(start(['docs', 'sync', 'chaos', '--json']), between(200, 1500));
    const state = await lastSync();
    // Killed after its commit (or not killed at all), it reads succeeded; before, interrupted.
    const left =
      code === 0 || state === 'succeeded' ? 'finished' : state === 'interrupted' ? 'interrupted' : `left ${state}`;
    const again = await cli(['docs', 'sync', 'chaos', '--json']);
    const after = again.code === 0 && (await lastSync()) === 'succeeded' && (await pagesOf()) === PAGES;
    record(
      'kill -9 of a docs sync',
      'interrupted|finished, resync whole',
      `${left === 'finished' || left === 'interrupted' ? 'interrupted|finished' : left}, ${after ? 'resync whole' : `resync exit ${again.code}`}`,
    );
  }

  /** PostgreSQL killed during a sync: the sync fails as unavailable (or had finished); the next command recovers. */
  async function killPostgres(round: number, record: Record) {
    writePages(round + 1000);
    const sync = start(['docs', 'sync', 'chaos', '--json']);
    let out = '';
    sync.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    sync.stderr!.resume();
    const done = new Promise<number | null>((r) => sync.on('close', r));
    await sleep(between(300, 2000));
    try {
      process.kill(postmasterPid(), 'SIGKILL');
    } catch {
      // Not running (an earlier probe's restart is still pending): the probe observes that below.
    }
    const code = await done;
    // Streamed progress lines are compact JSON, a final error object is pretty-printed.
    const error = /"code":\s*"([A-Z_]+)"/.exec(out)?.[1];
    const outcome =
      code === 0
        ? 'ok'
        : error === 'DB_UNAVAILABLE' && code === 5
          ? 'unavailable'
          : `exit ${code} ${error ?? 'no error'}`;
    const again = await cli(['docs', 'sync', 'chaos', '--json']);
    const recovered = again.code === 0 && (await lastSync()) === 'succeeded' && (await pagesOf()) === PAGES;
    record(
      'kill -9 of PostgreSQL during a sync',
      'unavailable|ok, recovered',
      `${outcome === 'ok' || outcome === 'unavailable' ? 'unavailable|ok' : outcome}, ${recovered ? 'recovered' : `next sync exit ${again.code}`}`,
    );
  }

  /** A lake writer killed mid-import adds all of its rows or none; its stray file is listed with its age, then removed. */
  async function killLakeWriter(record: Record) {
    const count = async () =>
      Number((await cli(['lake', 'sql', 'SELECT count(*) AS n FROM chaos.rows', '--json'])).json?.rows?.[0]?.n ?? -1);
    const before = await count();
    await killedAfter(start(['lake', 'import', 'chaos.rows', csv, '--json']), between(300, 1500));
    const after = await count();
    const atomic = after === before || after === before + ROWS ? 'all-or-nothing' : `${after - before} rows added`;
    // A stray file is kept for an hour (its writer may be about to commit): age every file past that.
    const past = new Date(Date.now() - 2 * 3_600_000);
    for (const e of fs.readdirSync(path.join(home, 'lake'), { recursive: true, withFileTypes: true }))
      if (e.isFile()) fs.utimesSync(path.join(e.parentPath, e.name), past, past);
    const listed = (await cli(['lake', 'cleanup', '--dry-run', '--json'])).json?.removed ?? [];
    const aged = listed.every((f: { ageMs: number }) => f.ageMs >= 2 * 3_600_000);
    await cli(['lake', 'cleanup', '--json']);
    const left = (await cli(['lake', 'cleanup', '--dry-run', '--json'])).json?.removed?.length ?? -1;
    const kept = (await count()) === after;
    record(
      'kill -9 of a lake writer',
      'all-or-nothing, strays aged+removed, rows kept',
      `${atomic}, ${aged && left === 0 ? 'strays aged+removed' : `strays ${listed.length} listed, ${left} left`}, ${kept ? 'rows kept' : 'rows lost'}`,
    );
  }

  /** A worker killed mid-run: the run fails as WORKER_LOST, another worker completes the task exactly once. */
  async function killWorker(record: Record) {
    const victim = start(['worker', '--concurrency', '1']);
    victim.stdout!.resume();
    victim.stderr!.resume();
    const victimGone = new Promise((r) => victim.on('close', r));
    tasks += 1;
    const ref = `chaos#${tasks}`;
    // A snippet of its own each round, so no cached result stands in for the run.
    fs.writeFileSync(slowTask, JSON.stringify({ code: `import time\ntime.sleep(3)\nprint(${tasks})` }));
    must(
      'task add',
      await cli(['task', 'add', 'chaos', `Slow ${tasks}`, '--skill', 'python.run', '--input-file', slowTask, '--json']),
    );
    if (tasks === 1) must('project advance', await cli(['project', 'advance', 'chaos', '--json']));
    const show = async () => (await cli(['task', 'show', ref, '--json'])).json;
    const until = async (what: (t: any) => boolean, ms: number) => {
      const end = Date.now() + ms;
      for (let t = await show(); Date.now() < end; t = await show()) {
        if (t && what(t)) return t;
        await sleep(250);
      }
      return show();
    };
    const finished = (t: any) => ['completed', 'failed', 'rejected', 'canceled'].includes(t.task.status);
    await until((t) => t.task.status === 'working' || finished(t), 30_000);
    await sleep(between(0, 2500));
    victim.kill('SIGKILL');
    await victimGone;
    const survivor = start(['worker', '--concurrency', '1']);
    survivor.stdout!.resume();
    survivor.stderr!.resume();
    const survivorGone = new Promise((r) => survivor.on('close', r));
    const t = await until(finished, 60_000);
    survivor.kill('SIGTERM');
    await survivorGone;
    const runs = (t?.runs ?? []) as { state: string; error?: { code?: string } | null }[];
    const completions = runs.filter((r) => r.state === 'completed').length;
    const lost = runs.filter((r) => r.error?.code === 'WORKER_LOST').length;
    const shape =
      t?.task.status === 'completed' && completions === 1 && runs.length === 1 + lost && lost <= 1
        ? 'completed once'
        : `${t?.task.status}: ${runs.map((r) => r.state + (r.error?.code ? `/${r.error.code}` : '')).join(',')}`;
    record('kill -9 of a worker mid-run', 'completed once', shape);
  }

  return {
    async round(round: number, record: Record) {
      const took: string[] = [];
      for (const [name, probe] of [
        ['sync', () => killSync(round, record)],
        ['postgres', () => killPostgres(round, record)],
        ['lake writer', () => killLakeWriter(record)],
        ['worker', () => killWorker(record)],
      ] as const) {
        const t0 = Date.now();
        await probe();
        took.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      return took.join(', ');
    },
    async close() {
      await cli(['down', '--json']);
    },
  };
}

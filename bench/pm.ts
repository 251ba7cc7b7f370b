/**
 * bench:pm — task claim latency with 100,000 tasks in the database (one claimer, then 20 at
 * once), and project overview latency for a 1,000-task project, through the real project
 * manager on a throw-away database (BOSUN_DATABASE_URL's server, else an embedded one).
 */
import os from 'node:os';
import path from 'node:path';
import { bosunPaths, silentLogger } from '../src/core/index.js';
import { createPool } from '../src/db/index.js';
import {
  advanceProject,
  claimNextTask,
  completeTask,
  createProject,
  failTask,
  loadTemplateSet,
  planTasks,
  projectOverview,
  type PmContext,
} from '../src/pm/index.js';
import { benchDatabase, printTable, summarize, timed } from './support.js';

const PROJECTS = 100;
const TASKS_PER_PROJECT = 1_000;
const SEQUENTIAL_CLAIMS = 500;
const CONCURRENT_CLAIMERS = 20;
const CLAIMS_PER_CLAIMER = 25;
const OVERVIEWS = 200;

/** 1,000 tasks: chains of ten, so most are blocked and each chain's head is ready, as in a real plan. */
function plan(project: number) {
  return Array.from({ length: TASKS_PER_PROJECT }, (_, i) => ({
    key: `t${i}`,
    title: `Project ${project} task ${i}: transform the ${i % 7 === 0 ? 'orders' : 'events'} table`,
    skill: i % 3 === 0 ? 'python.run' : 'sql.query',
    priority: i % 10 === 0 ? 5 : 0,
    ...(i % 10 === 0 ? {} : { dependsOn: [`t${i - 1}`] }),
    ...(i % 10 === 0 ? {} : { inputs: { table: `{{ steps.t${i - 1}.outputs.table }}` } }),
  }));
}

/** A plan is at most 500 tasks: add the 1,000 in two (the chains do not cross the halves). */
async function addPlan(pm: PmContext, slug: string, tasks: ReturnType<typeof plan>) {
  for (let i = 0; i < tasks.length; i += 500) await planTasks(pm, slug, tasks.slice(i, i + 500));
}

async function main() {
  const db = await benchDatabase(CONCURRENT_CLAIMERS + 5);
  const pm: PmContext = { pool: db.pool, logger: silentLogger, actor: 'bench' };
  const catalog = loadTemplateSet(bosunPaths(path.join(os.tmpdir(), 'bosun-bench-pm-home')));
  const rows: Record<string, string | number>[] = [];

  const { ms: seedMs } = await timed(async () => {
    for (let p = 0; p < PROJECTS; p++) {
      const slug = `bench-${p}`;
      await createProject(pm, catalog, { slug });
      await addPlan(pm, slug, plan(p));
      await advanceProject(pm, slug);
    }
  });
  const counts = await db.pool.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM bosun.task GROUP BY status ORDER BY status`,
  );
  rows.push({
    measure: 'seed: 100 projects × 1,000 tasks (planTasks)',
    p50_ms: '',
    p95_ms: '',
    value: `${(seedMs / 1000).toFixed(1)} s; ${counts.rows.map((r) => `${r.status} ${r.n}`).join(', ')}`,
  });

  // The floor on this machine: one round trip to PostgreSQL. A claim is a short transaction of a
  // few statements, so on a loaded machine its latency is a few of these.
  const roundTrips: number[] = [];
  for (let i = 0; i < SEQUENTIAL_CLAIMS; i++) roundTrips.push((await timed(() => db.pool.query('SELECT 1'))).ms);
  const rt = summarize(roundTrips);
  rows.push({
    measure: 'baseline: one round trip (SELECT 1)',
    p50_ms: rt.p50,
    p95_ms: rt.p95,
    value: `${rt.n} queries; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`,
  });

  // One claimer, one claim at a time, over the whole database.
  const sequential: number[] = [];
  for (let i = 0; i < SEQUENTIAL_CLAIMS; i++) {
    const { value: claimed, ms } = await timed(() => claimNextTask(pm, { claimant: 'bench' }));
    if (!claimed) throw new Error('ran out of ready tasks');
    sequential.push(ms);
  }
  const seq = summarize(sequential);
  rows.push({
    measure: 'claim next task, 1 claimer (100,000 tasks)',
    p50_ms: seq.p50,
    p95_ms: seq.p95,
    value: `${seq.n} claims`,
  });

  // 20 claimers at once, each on its own connection.
  const concurrent: number[] = [];
  const claimed = new Set<string>();
  const pools = Array.from({ length: CONCURRENT_CLAIMERS }, () => createPool(db.url, { max: 1 }));
  await Promise.all(
    pools.map(async (pool, c) => {
      const own: PmContext = { pool, logger: silentLogger, actor: `bench-${c}` };
      for (let i = 0; i < CLAIMS_PER_CLAIMER; i++) {
        const { value: got, ms } = await timed(() => claimNextTask(own, { claimant: `bench-${c}` }));
        if (!got) throw new Error('ran out of ready tasks');
        if (claimed.has(got.task.id)) throw new Error(`${got.task.ref} was claimed twice`);
        claimed.add(got.task.id);
        concurrent.push(ms);
      }
    }),
  );
  await Promise.all(pools.map((p) => p.end()));
  const con = summarize(concurrent);
  rows.push({
    measure: `claim next task, ${CONCURRENT_CLAIMERS} claimers at once`,
    p50_ms: con.p50,
    p95_ms: con.p95,
    value: `${con.n} claims, none twice`,
  });

  // A 1,000-task project with history: some tasks done, some failed, some in progress.
  const slug = 'overview';
  await createProject(pm, catalog, { slug });
  await addPlan(pm, slug, plan(PROJECTS));
  await advanceProject(pm, slug);
  for (let i = 0; i < 300; i++) {
    const got = await claimNextTask(pm, { projectSlug: slug, claimant: 'bench' });
    if (!got) break;
    if (i % 10 === 9) await failTask(pm, got.task.ref, { reason: 'bench failure' });
    else if (i % 3 !== 2) {
      await completeTask(
        pm,
        got.task.ref,
        {
          status: 'completed',
          summary: 'done',
          outputs: { table: `t_${i}` },
          artifacts: [],
          metrics: {},
          handoffs: [],
        },
        { artifactsDir: os.tmpdir() },
      );
    }
  }
  const overviews: number[] = [];
  for (let i = 0; i < OVERVIEWS; i++) overviews.push((await timed(() => projectOverview(db.pool, slug))).ms);
  const ov = summarize(overviews);
  const overview = await projectOverview(db.pool, slug);
  rows.push({
    measure: 'project overview, 1,000-task project',
    p50_ms: ov.p50,
    p95_ms: ov.p95,
    value: `${ov.n} calls; ${Object.entries(overview.tasksByState)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
  });

  printTable('bench:pm (target: claim p95 ≤ 20 ms with 100,000 tasks)', rows);
  await db.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

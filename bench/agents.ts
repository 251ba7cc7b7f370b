/**
 * bench:agents — routing latency with 50 agents registered (the built-in ones plus generated
 * user manifests in a temporary $BOSUN_HOME/agents), on a real registry synced to PostgreSQL;
 * and no-op tasks per second end to end through the PM: tasks created and routed, queued when
 * the project starts, run by a `bosun worker`-style QueueWorker through the task.run job, each
 * task's envelope applied to it — once with a command agent (a process per task), once with the
 * built-in flow.join (none).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bosunPaths, silentLogger, type BosunPaths } from '../src/core/index.js';
import { openAgentRegistry, routeTask, type RouteTask } from '../src/agents/index.js';
import { JobQueue, QueueWorker } from '../src/queue/index.js';
import {
  advanceProject,
  createDispatcher,
  createProject,
  getProject,
  listTasks,
  loadTemplateSet,
  planTasks,
  pmJobTypes,
  type PmContext,
} from '../src/pm/index.js';
import { benchDatabase, printTable, summarize, timed, type BenchDatabase } from './support.js';

const AGENTS = 50;
const ROUTINGS = 2_000;
const TARGET_P95_MS = 5;
const NOOP_TASKS = 1_000;
const WORKER_CONCURRENCY = 16;
const TARGET_TASKS_PER_S = 200;

/** A command agent that answers at once: `echo` prints its envelope (no shell, no interpreter). */
const NOOP_ENVELOPE = JSON.stringify({
  status: 'completed',
  summary: 'nothing to do',
  outputs: {},
  artifacts: [],
  metrics: {},
  handoffs: [],
});
const noopManifest = `id: noop
name: No-op
tier: task
version: 1.0.0
description: Answers at once with an empty result, to measure the pipeline around agents.
executor: { kind: command, argv: [echo, ${JSON.stringify(NOOP_ENVELOPE)}] }
maxConcurrency: 64
skills:
  - id: test.run
    name: No-op run
    description: does nothing and says so
    cacheable: false
`;

const tiers = ['task', 'domain', 'general'] as const;
const kinds = [
  'web-url',
  'pdf',
  'image',
  'python-file',
  'sql-file',
  'tabular-file',
  'notebook',
  'audio',
  'video',
] as const;
const topics = [
  ['invoice', 'billing', 'accounting'],
  ['crm', 'sales', 'leads'],
  ['weather', 'forecast', 'climate'],
  ['logistics', 'shipping', 'routes'],
  ['inventory', 'stock', 'warehouse'],
  ['marketing', 'campaign', 'email'],
  ['sensor', 'iot', 'telemetry'],
  ['finance', 'ledger', 'reconciliation'],
  ['hr', 'payroll', 'timesheets'],
  ['search', 'ranking', 'relevance'],
  ['pricing', 'competitors', 'market'],
  ['support', 'tickets', 'sla'],
  ['energy', 'meters', 'consumption'],
];
const verbs = ['extract', 'clean', 'validate', 'summarise', 'forecast', 'classify', 'report', 'monitor'];

/** A plausible user agent: a domain, a few skills with tags, examples and accepted inputs. */
function generatedManifest(i: number): string {
  const topic = topics[i % topics.length]!;
  const skills = [0, 1, 2].map((j) => {
    const verb = verbs[(i + j * 3) % verbs.length]!;
    const kind = kinds[(i + j) % kinds.length]!;
    return `  - id: gen${i}.${verb}
    name: ${verb} ${topic[0]} data
    description: ${verb} ${topic.join(' and ')} records for agent ${i}, with checks and a short report.
    tags: [${topic.join(', ')}, ${verb}]
    examples:
      - ${verb} the ${topic[0]} export from last week
      - ${verb} ${topic[1]} data and flag problems
    accepts: [${kind}]`;
  });
  return `id: gen-${i}
name: Generated ${i}
tier: ${tiers[i % tiers.length]}
version: 1.0.${i}
description: A generated agent for ${topic.join(', ')} work.
executor: { kind: assistant }
maxConcurrency: ${1 + (i % 4)}
skills:
${skills.join('\n')}
`;
}

const realisticTasks: RouteTask[] = [
  { title: 'Transcribe the keynote', inputs: { url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' } },
  { title: 'Run the nightly ETL script', inputs: { file: 'etl.py', args: ['--date', '2024-01-01'] } },
  { title: 'Extract the text from the scanned invoice', inputs: { file: 'scans/invoice.pdf' } },
  { title: 'Scrape product listings and prices', inputs: { url: 'https://shop.example.com/catalog' } },
  { title: 'Check the orders file for nulls and duplicate ids', inputs: { file: 'orders.csv' } },
  { title: 'Forecast weather sensor telemetry for next week', tags: ['forecast'], inputs: {} },
  { title: 'Reconcile the finance ledger and report mismatches', inputs: { file: 'ledger.parquet' } },
  { title: 'Deploy the API to Kubernetes', inputs: {} },
  { title: 'Write the README for the pipeline', inputs: {} },
  { title: 'Feed the cat', inputs: {} },
];

type Row = Record<string, string | number>;

async function routingLatency(db: BenchDatabase, paths: BosunPaths): Promise<Row[]> {
  const builtin = fs.readdirSync(path.resolve('agents')).filter((n) => n.endsWith('.yaml')).length;
  for (let i = 0; i < AGENTS - builtin; i++)
    fs.writeFileSync(path.join(paths.agents, `gen-${i}.yaml`), generatedManifest(i));
  const { value: registry, ms: openMs } = await timed(() => openAgentRegistry({ pool: db.pool, paths, endpoints: {} }));
  const agents = registry.list().length;

  // Warm up (JIT, the statistics read), then measure one routing at a time.
  for (const task of realisticTasks) await routeTask(registry, task);
  const samples: number[] = [];
  const load = Object.fromEntries(registry.list().map((a, i) => [a.manifest.id, i % 3]));
  for (let i = 0; i < ROUTINGS; i++) {
    const task = realisticTasks[i % realisticTasks.length]!;
    samples.push((await timed(() => routeTask(registry, task, { load }))).ms);
  }
  const s = summarize(samples);
  return [
    {
      measure: `registry open (load, probe, sync) — ${agents} agents`,
      n: 1,
      p50_ms: openMs,
      p95_ms: openMs,
      value: '',
      target: '',
    },
    {
      measure: `routeTask latency — ${agents} agents`,
      n: s.n,
      p50_ms: s.p50,
      p95_ms: s.p95,
      value: '',
      target: `p95 ≤ ${TARGET_P95_MS} ms: ${s.p95 <= TARGET_P95_MS ? 'met' : 'MISSED'}`,
    },
  ];
}

interface Throughput {
  routedMs: number;
  rate: number;
  /** executeAgent's own time per task, from the stored envelopes. */
  agentMs: ReturnType<typeof summarize>;
  /** CPU of this process (PM, dispatch, queue worker, spawning) per task; PostgreSQL's is not in it. */
  cpuMsPerTask: number;
}

/** Creates NOOP_TASKS tasks asking for `skill` in a new project, starts it, and waits for all of them to complete. */
async function throughput(
  pm: PmContext,
  db: BenchDatabase,
  paths: BosunPaths,
  slug: string,
  skill: string,
): Promise<Throughput> {
  await createProject(pm, loadTemplateSet(paths), { slug });
  const projectId = (await getProject(db.pool, slug)).id;
  const drafts = Array.from({ length: NOOP_TASKS }, (_, i) => ({ key: `t${i}`, title: `No-op ${i}`, skill }));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // A plan holds at most 500 tasks.
  for (let i = 0; i < drafts.length; i += 500) await planTasks(pm, slug, drafts.slice(i, i + 500));
  const routedMs = performance.now() - t0;
  await advanceProject(pm, slug);
  // Counted, not listed: reading every task ten times a second would load the machine being measured.
  const completed = async () =>
    (
      await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bosun.task WHERE project_id = $1 AND status = 'completed'`,
        [projectId],
      )
    ).rows[0]!.n;
  for (let done = 0; done < NOOP_TASKS; done = await completed()) {
    if (performance.now() - t0 > 300_000)
      throw new Error(`only ${done} of ${NOOP_TASKS} ${skill} tasks completed in 5 minutes`);
    await sleep(100);
  }
  const totalS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const tasks = await listTasks(db.pool, { projectId, status: 'completed', limit: NOOP_TASKS, offset: 0 });
  const agentMs = summarize(
    tasks
      .map((t) => Number((t.result as { metrics?: { durationMs?: number } } | null)?.metrics?.durationMs ?? NaN))
      .filter(Number.isFinite),
  );
  return { routedMs, rate: NOOP_TASKS / totalS, agentMs, cpuMsPerTask: (cpu.user + cpu.system) / 1000 / NOOP_TASKS };
}

function throughputRows(label: string, t: Throughput): Row[] {
  return [
    {
      measure: `${label}: create + route ${NOOP_TASKS} tasks`,
      n: NOOP_TASKS,
      p50_ms: '',
      p95_ms: '',
      value: `${Math.round(NOOP_TASKS / (t.routedMs / 1000))}/s`,
      target: '',
    },
    {
      measure: `${label}: executeAgent time per task`,
      n: t.agentMs.n,
      p50_ms: t.agentMs.p50,
      p95_ms: t.agentMs.p95,
      value: '',
      target: '',
    },
    {
      measure: `${label}: CPU of the bench process per task (not PostgreSQL's)`,
      n: NOOP_TASKS,
      p50_ms: '',
      p95_ms: '',
      value: `${t.cpuMsPerTask.toFixed(1)} ms`,
      target: '',
    },
    {
      measure: `${label}: no-op tasks/s, route → queue → run → envelope (worker ×${WORKER_CONCURRENCY})`,
      n: NOOP_TASKS,
      p50_ms: '',
      p95_ms: '',
      value: Math.round(t.rate),
      target: `≥ ${TARGET_TASKS_PER_S}/s: ${t.rate >= TARGET_TASKS_PER_S ? 'met' : 'MISSED'}`,
    },
  ];
}

/**
 * The same no-op tasks twice: run by a command agent (`echo` prints the envelope: one child
 * process per task, as any command-line agent), then by the built-in flow.join (in the worker,
 * no process): the difference is what starting a process costs.
 */
async function endToEnd(db: BenchDatabase, paths: BosunPaths): Promise<Row[]> {
  fs.writeFileSync(path.join(paths.agents, 'noop.yaml'), noopManifest);
  const registry = await openAgentRegistry({ pool: db.pool, paths, endpoints: {} });
  const queue = await JobQueue.open(db.pool);
  await queue.register(pmJobTypes);
  const dispatch = createDispatcher({
    pool: db.pool,
    logger: silentLogger,
    actor: 'bench',
    home: paths.home,
    registry: async () => registry,
    queue: async () => queue,
  });
  const pm: PmContext = { pool: db.pool, logger: silentLogger, actor: 'bench', afterCommit: dispatch };
  const worker = new QueueWorker(queue, { concurrency: WORKER_CONCURRENCY });
  await worker.start();
  try {
    const command = await throughput(pm, db, paths, 'bench-command', 'test.run');
    const builtin = await throughput(pm, db, paths, 'bench-builtin', 'flow.join');
    return [...throughputRows('command agent (echo)', command), ...throughputRows('built-in flow.join', builtin)];
  } finally {
    await worker.stop(10_000);
    await queue.close();
  }
}

async function main() {
  const db = await benchDatabase(20);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-agents-'));
  const paths = bosunPaths(home);
  fs.mkdirSync(paths.agents, { recursive: true });
  try {
    const [loadBefore] = os.loadavg();
    const rows = [...(await routingLatency(db, paths)), ...(await endToEnd(db, paths))];
    const [loadAfter] = os.loadavg();
    printTable(
      `bench:agents (${os.cpus().length} CPUs, load average ${loadBefore!.toFixed(1)} at the start, ${loadAfter!.toFixed(1)} at the end)`,
      rows,
    );
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

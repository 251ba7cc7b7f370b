/**
 * bench:agents — routing latency with 50 agents registered (the built-in ones plus generated
 * user manifests in a temporary $BOSUN_HOME/agents), on a real registry synced to PostgreSQL.
 * The end-to-end no-op throughput (route → queue → run → envelope) needs the PM's task.run job,
 * and is reported as missing until src/pm provides it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bosunPaths } from '../src/core/index.js';
import { openAgentRegistry, routeTask, type RouteTask } from '../src/agents/index.js';
import { allJobTypes } from '../src/jobs.js';
import { benchDatabase, printTable, summarize } from './support.js';

const AGENTS = 50;
const ROUTINGS = 2_000;
const TARGET_P95_MS = 5;

const tiers = ['task', 'domain', 'general'] as const;
const kinds = ['web-url', 'pdf', 'image', 'python-file', 'sql-file', 'tabular-file', 'notebook', 'audio', 'video'] as const;
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

async function main() {
  const db = await benchDatabase(10);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bosun-bench-agents-'));
  const paths = bosunPaths(home);
  fs.mkdirSync(paths.agents, { recursive: true });
  try {
    const builtin = fs.readdirSync(path.resolve('agents')).filter((n) => n.endsWith('.yaml')).length;
    for (let i = 0; i < AGENTS - builtin; i++) fs.writeFileSync(path.join(paths.agents, `gen-${i}.yaml`), generatedManifest(i));

    const t0 = performance.now();
    const registry = await openAgentRegistry({ pool: db.pool, paths, endpoints: {} });
    const openMs = performance.now() - t0;
    const agents = registry.list().length;
    const skills = registry.list().reduce((n, a) => n + a.manifest.skills.length, 0);

    // Warm up (JIT, the statistics read), then measure one routing at a time.
    for (const task of realisticTasks) await routeTask(registry, task);
    const samples: number[] = [];
    const load = Object.fromEntries(registry.list().map((a, i) => [a.manifest.id, i % 3]));
    for (let i = 0; i < ROUTINGS; i++) {
      const task = realisticTasks[i % realisticTasks.length]!;
      const start = performance.now();
      await routeTask(registry, task, { load });
      samples.push(performance.now() - start);
    }
    const s = summarize(samples);
    const taskRun = allJobTypes.some((t) => t.name === 'task.run');
    printTable(`bench:agents (targets: routing p95 ≤ ${TARGET_P95_MS} ms with ${AGENTS} agents; ≥ 200 no-op tasks/s end to end)`, [
      { measure: 'registry open (load, probe, sync)', agents, skills, n: 1, p50_ms: openMs, p95_ms: openMs, result: '' },
      { measure: 'routeTask latency', agents, skills, n: s.n, p50_ms: s.p50, p95_ms: s.p95, result: s.p95 <= TARGET_P95_MS ? 'meets target' : 'MISSES target' },
      {
        measure: 'no-op tasks/s (route → queue → run → envelope)',
        agents,
        skills,
        n: 0,
        p50_ms: '',
        p95_ms: '',
        result: taskRun ? 'task.run exists: measure it in bench:pm' : 'missing: src/pm has no task.run job yet',
      },
    ]);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

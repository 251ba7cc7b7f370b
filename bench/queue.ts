/**
 * bench:queue — enqueue→start latency and no-op throughput through the real queue (pg-boss on
 * PostgreSQL), with pg-boss's own polling work() loop as the baseline in the same run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JobQueue, QueueWorker, type JobType } from '../src/queue/index.js';
import { benchDatabase, printTable, summarize } from './support.js';

const LATENCY_JOBS = 200;
const THROUGHPUT_JOBS = 5_000;
const now = () => performance.timeOrigin + performance.now();

async function main() {
  const db = await benchDatabase(20);
  const queue = await JobQueue.open(db.pool);
  const latencies: number[] = [];
  let done = 0;
  const types: JobType<never>[] = [
    {
      name: 'bench.latency',
      options: { retryLimit: 0 },
      handler: async (job) => void latencies.push(now() - (job.data as { sentAt: number }).sentAt),
    },
    { name: 'bench.noop', options: { retryLimit: 0 }, handler: async () => void done++ },
  ];
  await queue.register(types);
  const rows: Record<string, string | number>[] = [];

  // Latency: one job at a time onto an idle worker, as a user's command would send it.
  const worker = new QueueWorker(queue, { concurrency: 4 });
  await worker.start();
  for (let i = 0; i < LATENCY_JOBS; i++) {
    await queue.send('bench.latency', { sentAt: now() });
    await sleep(15);
  }
  while (latencies.length < LATENCY_JOBS) await sleep(10);
  const lat = summarize(latencies);
  rows.push({
    measure: 'enqueue→start latency (Bosun worker)',
    p50_ms: lat.p50,
    p95_ms: lat.p95,
    value: `${lat.n} jobs`,
  });

  // Baseline: pg-boss's own work() loop at its fastest polling interval (0.5 s).
  const baseline: number[] = [];
  await queue.boss.createQueue('bench.baseline');
  await queue.boss.work('bench.baseline', { pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) => {
    baseline.push(now() - (job!.data as { sentAt: number }).sentAt);
  });
  // One job per polling interval, so the baseline never builds a backlog.
  for (let i = 0; i < 20; i++) {
    await queue.boss.send('bench.baseline', { sentAt: now() });
    await sleep(550);
  }
  while (baseline.length < 20) await sleep(10);
  await queue.boss.offWork('bench.baseline');
  const base = summarize(baseline);
  rows.push({
    measure: 'enqueue→start latency (pg-boss work(), 0.5 s poll)',
    p50_ms: base.p50,
    p95_ms: base.p95,
    value: `${base.n} jobs`,
  });
  rows.push({
    measure: 'latency ratio baseline/Bosun (p50)',
    p50_ms: base.p50 / lat.p50,
    p95_ms: base.p95 / lat.p95,
    value: 'x',
  });
  await worker.stop();

  // Throughput: a backlog of no-op jobs drained by one worker process.
  await queue.sendMany(
    'bench.noop',
    Array.from({ length: THROUGHPUT_JOBS }, (_, i) => ({ data: { i } })),
  );
  const drain = new QueueWorker(queue, { concurrency: 16 });
  const t0 = now();
  await drain.start();
  while (done < THROUGHPUT_JOBS) await sleep(5);
  const seconds = (now() - t0) / 1000;
  await drain.stop();
  rows.push({
    measure: 'no-op jobs/s (concurrency 16)',
    p50_ms: '',
    p95_ms: '',
    value: Math.round(THROUGHPUT_JOBS / seconds),
  });

  printTable('bench:queue (targets: p50 ≤ 50 ms, ≥ 500 jobs/s)', rows);
  await queue.close();
  await db.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

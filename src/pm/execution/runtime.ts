import os from 'node:os';
import path from 'node:path';
import { openAgentRegistry, type TaskRaiser } from '../../agents/index.js';
import { loadConfig } from '../../core/index.js';
import type { JobContext, JobQueue } from '../../queue/index.js';
import type { PmContext } from '../context.js';
import { taskRaiser } from '../raise.js';
import { createDispatcher } from './dispatch.js';
import type { RunTaskDeps } from './run-task.js';

/**
 * What `task.run` jobs need in a worker beyond the worker's own pool and queue, which the job
 * context carries: the agent registry and the paths of the Bosun home that queued the job (its
 * agent manifests, workspaces and artifacts). Opening a registry loads and probes every
 * manifest, and task runs are many and short, so it is opened once per queue and home and
 * kept as long as the queue is.
 */
const runtimes = new WeakMap<JobQueue, Map<string, Promise<RunTaskDeps>>>();

/** Who acts for a worker process, in events and as the holder of runs. */
export function workerActor(): string {
  return `worker:${os.hostname()}:${process.pid}`;
}

async function open(job: Pick<JobContext<unknown>, 'pool' | 'queue'>, home: string): Promise<RunTaskDeps> {
  const { pool, queue } = job;
  const { paths } = loadConfig({ home });
  const logger = queue.logger;
  const registry = await openAgentRegistry({ pool, paths, logger });
  const actor = workerActor();
  const pm: PmContext = {
    pool,
    logger,
    actor,
    afterCommit: createDispatcher({
      pool,
      logger,
      actor,
      home: paths.home,
      registry: async () => registry,
      queue: async () => queue,
    }),
  };
  return { pm, registry, paths };
}

/** The runtime for a job of the home `home`, on the job's worker, opened on first use. */
export function executionRuntime(job: Pick<JobContext<unknown>, 'pool' | 'queue'>, home: string): Promise<RunTaskDeps> {
  let byHome = runtimes.get(job.queue);
  if (!byHome) {
    byHome = new Map();
    runtimes.set(job.queue, byHome);
  }
  const key = path.resolve(home);
  let runtime = byHome.get(key);
  if (!runtime) {
    const opening = open(job, key);
    byHome.set(key, opening);
    opening.catch(() => byHome.delete(key));
    runtime = opening;
  }
  return runtime;
}

/** A worker's task raiser for a job of the home `home`: the PM context `task.run` jobs use, with its dispatcher. */
export async function jobTaskRaiser(
  job: Pick<JobContext<unknown>, 'pool' | 'queue'>,
  home: string,
): Promise<TaskRaiser> {
  return taskRaiser((await executionRuntime(job, home)).pm);
}

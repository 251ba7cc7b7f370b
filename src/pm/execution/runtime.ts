import os from 'node:os';
import { openAgentRegistry, type AgentRegistry } from '../../agents/index.js';
import { loadConfig, type BosunPaths, type Logger } from '../../core/index.js';
import { createPool, resolveDatabase, type Pool } from '../../db/index.js';
import { JobQueue, type JobType } from '../../queue/index.js';
import type { PmContext } from '../context.js';
import { createDispatcher } from './dispatch.js';
import type { RunTaskDeps } from './run-task.js';

/**
 * What `task.run` jobs need in a worker: the database, the agent registry and a queue to send
 * follow-up jobs on. The queue hands handlers no connection, so a job names the Bosun home of
 * whoever queued it and the worker connects as a command in that home would; unlike a docs
 * sync, task runs are many and short, so the runtime is opened once per home and kept for
 * the life of the process.
 */
export interface ExecutionRuntime extends RunTaskDeps {
  pool: Pool;
  queue: JobQueue;
}

const runtimes = new Map<string, Promise<ExecutionRuntime>>();

/** Who acts for a worker process, in events and as the holder of runs. */
export function workerActor(): string {
  return `worker:${os.hostname()}:${process.pid}`;
}

async function open(home: string | undefined, logger: Logger, jobTypes: readonly JobType<never>[]): Promise<ExecutionRuntime> {
  const loaded = loadConfig({ home });
  const target = await resolveDatabase(loaded, logger);
  const pool = createPool(target.url, { max: loaded.config.database.poolSize, logger, applicationName: 'bosun-task-run' });
  try {
    const paths: BosunPaths = loaded.paths;
    const registry: AgentRegistry = await openAgentRegistry({ pool, paths, logger });
    const queue = await JobQueue.open(pool, { logger });
    await queue.register(jobTypes);
    const actor = workerActor();
    const pm: PmContext = {
      pool,
      logger,
      actor,
      afterCommit: createDispatcher({ pool, logger, actor, home: paths.home, registry: async () => registry, queue: async () => queue }),
    };
    return { pm, registry, paths, pool, queue };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

/** The runtime for a Bosun home, opened on first use. */
export function executionRuntime(home: string | undefined, logger: Logger, jobTypes: readonly JobType<never>[]): Promise<ExecutionRuntime> {
  const key = loadConfig({ home }).paths.home;
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = open(home, logger, jobTypes);
    runtimes.set(key, runtime);
    runtime.catch(() => runtimes.delete(key));
  }
  return runtime;
}

/** Closes every runtime this process opened (a worker stopping, a test ending). */
export async function closeExecutionRuntimes(): Promise<void> {
  const all = [...runtimes.values()];
  runtimes.clear();
  for (const r of await Promise.allSettled(all)) {
    if (r.status !== 'fulfilled') continue;
    await r.value.queue.close().catch(() => undefined);
    await r.value.pool.end().catch(() => undefined);
  }
}

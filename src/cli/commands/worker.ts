import type { Command } from 'commander';
import { QueueWorker } from '../../queue/index.js';
import { emitLine, parsePositiveInt } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

export function registerWorkerCommand(program: Command, wrap: Wrap): void {
  program
    .command('worker')
    .description(commandSummaries.worker)
    .option('-c, --concurrency <n>', 'jobs run at once (default: worker.concurrency, 4)')
    .option('--shutdown-timeout <seconds>', 'on SIGINT/SIGTERM, wait this long for running jobs', '30')
    .action(
      wrap(async (ctx, opts: { concurrency?: string; shutdownTimeout: string }) => {
        const concurrency = opts.concurrency
          ? parsePositiveInt(opts.concurrency, '--concurrency')
          : ctx.config.worker.concurrency;
        const graceMs = parsePositiveInt(opts.shutdownTimeout, '--shutdown-timeout') * 1000;
        const queue = await ctx.queue({ supervise: true });
        const deadAfterMs = ctx.config.worker.deadAfterSeconds * 1000;
        // Three heartbeats fit in the silence that declares a worker dead.
        const heartbeatMs = Math.min(5_000, Math.floor(deadAfterMs / 3));
        const worker = new QueueWorker(queue, { concurrency, deadAfterMs, heartbeatMs }, ctx.logger);
        await worker.start();
        const types = queue.registered().map((t) => t.name);
        ctx.logger.info({ concurrency, types, processId: worker.processId }, 'worker started');
        if (ctx.json) emitLine({ event: 'started', pid: process.pid, concurrency, types });
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          process.once('SIGINT', () => resolve('SIGINT'));
          process.once('SIGTERM', () => resolve('SIGTERM'));
        });
        ctx.logger.info({ signal, inFlight: worker.inFlight }, 'worker stopping; finishing running jobs');
        await worker.stop(graceMs);
        ctx.logger.info({ completed: worker.completed, failed: worker.failed }, 'worker stopped');
        if (ctx.json) emitLine({ event: 'stopped', signal, completed: worker.completed, failed: worker.failed });
      }),
    );
}

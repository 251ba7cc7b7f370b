import type { Command } from 'commander';
import { ExitCode } from '../../core/index.js';
import { renderDoctor, runDoctor } from '../doctor.js';
import { emit } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

export function registerDoctorCommand(program: Command, wrap: Wrap): void {
  program
    .command('doctor')
    .description(commandSummaries.doctor)
    .action(
      wrap(async (ctx) => {
        const report = await runDoctor(ctx);
        emit(ctx, report, () => renderDoctor(report));
        if (!report.ok) process.exitCode = ExitCode.failure;
      }),
    );
}

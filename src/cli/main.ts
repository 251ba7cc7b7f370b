import { Command, CommanderError } from 'commander';
import { ExitCode } from '../core/index.js';
import { registerAgentsCommands } from './commands/agents.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDocsCommands } from './commands/docs.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerInitCommands } from './commands/init.js';
import { registerLakeCommands } from './commands/lake.js';
import { registerMcpCommands } from './commands/mcp.js';
import { registerDocsExportCommand } from './commands/mcp-docs.js';
import { registerMcpPmCommand } from './commands/mcp-pm.js';
import { registerProjectCommands } from './commands/project.js';
import { registerTaskCommands } from './commands/task.js';
import { registerTemplatesCommands } from './commands/templates.js';
import { registerServerCommands } from './commands/server.js';
import { registerWorkerCommand } from './commands/worker.js';
import { wrap } from './commands/wrap.js';
import { reportError } from './output.js';

export function buildProgram(): Command {
  const program = new Command('bosun')
    .description('Local workflow infrastructure: documentation → MCP servers, a project manager, and agents')
    // After a command, `--version <v>` names a documentation version (`bosun docs add … --version 1.2`),
    // which commander would take as the program's flag wherever it stands: ours is `-V`, and a
    // leading `--version` is read as `-V` in main().
    .version(process.env.npm_package_version ?? '0.1.0', '-V', 'output the version number (or --version, before any command)')
    .option('--home <dir>', 'Bosun home (default: $BOSUN_HOME or ~/.local/share/bosun)')
    .option('--json', 'print results as JSON on stdout (errors too)')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent (logs go to stderr)')
    .option('--database-url <url>', 'use this external PostgreSQL (overrides BOSUN_DATABASE_URL)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  registerInitCommands(program, wrap);
  registerServerCommands(program, wrap);
  registerDoctorCommand(program, wrap);
  registerConfigCommands(program, wrap);
  registerWorkerCommand(program, wrap);
  registerLakeCommands(program, wrap);
  registerMcpCommands(program, wrap);
  registerMcpPmCommand(program, wrap);
  registerDocsCommands(program, wrap);
  registerDocsExportCommand(program, wrap);
  registerTemplatesCommands(program, wrap);
  registerProjectCommands(program, wrap);
  registerTaskCommands(program, wrap);
  registerAgentsCommands(program, wrap);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv[2] === '--version' ? [...argv.slice(0, 2), '-V', ...argv.slice(3)] : argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    return reportError(err, argv.includes('--json'));
  }
}

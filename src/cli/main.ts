import { Command, CommanderError } from 'commander';
// core's errors alone: its index loads zod and pino, which help and --version never need.
import { ExitCode } from '../core/errors.js';
import { commandSummaries, type CommandName } from './commands/summaries.js';
import type { Wrap } from './commands/wrap.js';
import { reportError } from './output.js';

type Registrar = (program: Command, wrap: Wrap) => void;

/**
 * The modules that define each top-level command, imported only when that command runs (or
 * its help is asked for): loading every layer (DuckDB, the MCP SDK, the crawler…) was most of
 * a command's start-up. `bosun --help` lists the commands from commandSummaries instead.
 * Order matters where a module adds to a group another one creates (`mcp pm`, `docs export`).
 */
const server = async (): Promise<Registrar[]> => [(await import('./commands/server.js')).registerServerCommands];
const init = async (): Promise<Registrar[]> => [(await import('./commands/init.js')).registerInitCommands];
const commandModules: Record<CommandName, () => Promise<Registrar[]>> = {
  init,
  quickstart: init,
  up: server,
  down: server,
  status: server,
  doctor: async () => [(await import('./commands/doctor.js')).registerDoctorCommand],
  config: async () => [(await import('./commands/config.js')).registerConfigCommands],
  worker: async () => [(await import('./commands/worker.js')).registerWorkerCommand],
  lake: async () => [(await import('./commands/lake.js')).registerLakeCommands],
  mcp: async () => [
    (await import('./commands/mcp.js')).registerMcpCommands,
    (await import('./commands/mcp-pm.js')).registerMcpPmCommand,
  ],
  docs: async () => [
    (await import('./commands/docs.js')).registerDocsCommands,
    (await import('./commands/docs-export.js')).registerDocsExportCommand,
  ],
  templates: async () => [(await import('./commands/templates.js')).registerTemplatesCommands],
  project: async () => [(await import('./commands/project.js')).registerProjectCommands],
  task: async () => [(await import('./commands/task.js')).registerTaskCommands],
  agents: async () => [(await import('./commands/agents.js')).registerAgentsCommands],
  schedules: async () => [(await import('./commands/schedules.js')).registerSchedulesCommands],
  ui: async () => [(await import('./commands/ui.js')).registerUiCommand],
};

/** Global options that take a value, so the command name is found after them. */
const globalsWithValue = new Set(['--home', '--log-level', '--database-url']);

/** The command a command line names (also `help <command>`), or null (help, a version flag, an unknown word). */
export function commandOf(args: readonly string[]): CommandName | null {
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const arg = args[i]!;
    if (globalsWithValue.has(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  const word = words[0] === 'help' ? words[1] : words[0];
  return word !== undefined && Object.hasOwn(commandModules, word) ? (word as CommandName) : null;
}

/** The program with the named command only; for help and unknown words, every command as a one-line summary. */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command('bosun')
    .description('Local workflow infrastructure: documentation → MCP servers, a project manager, and agents')
    // After a command, `--version <v>` names a documentation version (`bosun docs add … --version 1.2`),
    // which commander would take as the program's flag wherever it stands: ours is `-V`, and a
    // leading `--version` is read as `-V` in main().
    .version(
      process.env.npm_package_version ?? '0.1.0',
      '-V',
      'output the version number (or --version, before any command)',
    )
    .option('--home <dir>', 'Bosun home (default: $BOSUN_HOME or ~/.local/share/bosun)')
    .option('--json', 'print results as JSON on stdout (errors too)')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent (logs go to stderr)')
    .option('--database-url <url>', 'use this external PostgreSQL (overrides BOSUN_DATABASE_URL)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const named = commandOf(args);
  if (named) {
    const { wrap } = await import('./commands/wrap.js');
    for (const register of await commandModules[named]()) register(program, wrap);
  } else {
    for (const [name, summary] of Object.entries(commandSummaries)) program.command(name).description(summary);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv.slice(2));
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

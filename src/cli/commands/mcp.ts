import { Command, Option } from 'commander';
import { BosunError } from '../../core/index.js';
import {
  clientSnippet,
  defaultConfigFile,
  installIntoClient,
  MCP_CLIENTS,
  serverLaunch,
  TOKEN_ENV_VAR,
  type McpClient,
} from '../../mcp/clients.js';
import type { CliContext } from '../context.js';
import { emit, parsePositiveInt } from '../output.js';
import { registerMcpDocsCommand } from './mcp-docs.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

interface ClientOptions {
  client: McpClient;
  server: 'docs' | 'pm';
  library: string[];
  http?: boolean;
  host: string;
  port: string;
  file?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** What a client must set for the server it starts: a database chosen by environment or flag would be lost to it. */
export function clientEnv(ctx: CliContext): Record<string, string> {
  const src = ctx.loaded.sources['database.url'];
  return ctx.config.database.url && (src === 'env' || src === 'flag')
    ? { BOSUN_DATABASE_URL: ctx.config.database.url }
    : {};
}

function launchFrom(ctx: CliContext, opts: ClientOptions) {
  if (opts.server === 'pm' && opts.library.length) {
    throw new BosunError('INVALID_INPUT', '--library applies to docs servers only');
  }
  return serverLaunch({
    kind: opts.server,
    libraries: opts.library,
    home: ctx.paths.home,
    env: clientEnv(ctx),
    ...(opts.http
      ? {
          http: {
            host: opts.host,
            port: parsePositiveInt(opts.port, '--port'),
            ...(ctx.config.mcp.token || ctx.config.mcp.tokenFile ? { tokenVar: TOKEN_ENV_VAR } : {}),
          },
        }
      : {}),
  });
}

function withClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--client <client>', 'the MCP client').choices([...MCP_CLIENTS]).makeOptionMandatory())
    .addOption(new Option('--server <server>', 'which Bosun server').choices(['docs', 'pm']).default('docs'))
    .option('--library <name>', 'serve this library (repeat for several; default: all)', collect, [])
    .option(
      '--http',
      'connect over Streamable HTTP to a running `bosun mcp … --http` instead of starting it over stdio',
    )
    .option('--host <host>', 'HTTP host', '127.0.0.1')
    .option('--port <port>', 'HTTP port', '7331');
}

/** The `bosun mcp` group: the servers (`mcp docs`, `mcp pm`) and client configuration. */
export function registerMcpCommands(program: Command, wrap: Wrap): void {
  const mcp = program.command('mcp').description(commandSummaries.mcp);
  registerMcpDocsCommand(mcp, wrap);

  withClientOptions(
    mcp
      .command('config')
      .description('print the exact configuration snippet for a client (Claude Code, Claude Desktop, Cursor, VS Code)'),
  ).action(
    wrap(async (ctx, opts: ClientOptions) => {
      const launch = launchFrom(ctx, opts);
      const snippet = clientSnippet(opts.client, launch);
      const file = defaultConfigFile(opts.client);
      emit(
        ctx,
        { client: opts.client, file, snippet },
        () => `# ${opts.client}: merge into ${file}\n${JSON.stringify(snippet, null, 2)}`,
      );
    }),
  );

  withClientOptions(
    mcp.command('install').description("write the server into the client's config file (merged, with a backup)"),
  )
    .option('--file <path>', 'the config file to write (default: the client’s usual file)')
    .action(
      wrap(async (ctx, opts: ClientOptions) => {
        const launch = launchFrom(ctx, opts);
        const res = installIntoClient(opts.client, launch, opts.file ?? defaultConfigFile(opts.client));
        emit(ctx, { client: opts.client, server: launch.name, ...res }, () =>
          [
            `${res.replaced ? 'updated' : 'added'} ${launch.name} in ${res.file}`,
            res.backup ? `backup of the previous file: ${res.backup}` : 'the file was created',
          ].join('\n'),
        );
      }),
    );
}

import type { Command } from 'commander';
import { BosunError, httpToken } from '../../core/index.js';
import type { PmServerDeps } from '../../mcp/index.js';
import type { CliContext } from '../context.js';
import { emitLine } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

interface PmServeOptions {
  http?: boolean;
  host: string;
  port: string;
  tokenFile?: string;
  allowUnauthenticatedWrites?: boolean;
}

async function serverDeps(ctx: CliContext): Promise<PmServerDeps> {
  // Imported here, not at the top: the whole `mcp` group (`mcp docs` too) loads this module.
  const { pmContext, plannableSkills } = await import('./project.js');
  const { chatEndpointOf } = await import('../../pm/index.js');
  return {
    pm: await pmContext(ctx, 'mcp'),
    artifactsDir: ctx.paths.artifacts,
    tokenBudget: ctx.config.mcp.tokenBudget,
    planner: { chat: chatEndpointOf(ctx.config.endpoints), skills: () => plannableSkills(ctx) },
  };
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new BosunError('INVALID_INPUT', `--port must be 0-65535, got '${value}'`);
  return n;
}

/** `bosun mcp pm`: the project manager as an MCP server, over stdio (default) or Streamable HTTP. */
export function registerMcpPmCommand(program: Command, wrap: Wrap): void {
  const mcp =
    program.commands.find((c) => c.name() === 'mcp') ?? program.command('mcp').description(commandSummaries.mcp);
  mcp
    .command('pm')
    .description('serve the project manager to an AI assistant (stdio, or --http on 127.0.0.1)')
    .option('--http', 'serve Streamable HTTP at http://<host>:<port>/mcp instead of stdio')
    .option('--host <host>', 'HTTP host (loopback unless a token is configured)', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0 = any free one)', '7331')
    .option(
      '--token-file <file>',
      'a 0600 file holding the bearer token (default: BOSUN_MCP_TOKEN, mcp.token, mcp.tokenFile)',
    )
    .option(
      '--allow-unauthenticated-writes',
      'without a token, let loopback clients call the tools that change state (unsafe: any local process or page may)',
    )
    .action(
      wrap(async (ctx, opts: PmServeOptions) => {
        const deps = await serverDeps(ctx);
        const { createPmServer, serveHttp, serveStdio } = await import('../../mcp/index.js');
        if (!opts.http) {
          await serveStdio(createPmServer(deps));
          return;
        }
        const token = httpToken(ctx.config.mcp, opts.tokenFile);
        const running = await serveHttp({
          host: opts.host,
          port: parsePort(opts.port),
          ...(token ? { token } : {}),
          allowUnauthenticatedWrites: Boolean(opts.allowUnauthenticatedWrites),
          createServer: () => createPmServer(deps),
          logger: ctx.logger,
        });
        if (ctx.json) emitLine({ event: 'listening', url: running.url });
        else process.stdout.write(`bosun-pm MCP server at ${running.url} (Ctrl-C to stop)\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await running.close();
      }),
    );
}

import type { Command } from 'commander';
import { z } from 'zod';
import { httpToken, parseWith } from '../../core/index.js';
import type { Searcher } from '../../docs/index.js';
import { serverName } from '../../mcp/clients.js';
// mcp/'s light entry for this command: the docs server and its hosting, without the PM server.
import {
  bosunVersion,
  createDocsServer,
  pgLibraryDirectory,
  serveHttp,
  serveStdio,
  serverSearcherOptions,
  type LibraryDirectory,
} from '../../mcp/docs/index.js';
import type { CliContext } from '../context.js';
import { emitLine } from '../output.js';
import type { Wrap } from './wrap.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `mcp docs` options as commander gives them (strings), validated. */
const serveOptionsSchema = z
  .object({
    library: z.array(z.string().min(1).max(200)).transform((names) => [...new Set(names)]),
    http: z.boolean().optional(),
    host: z.string().min(1),
    port: z.coerce.number().int().min(0).max(65535),
    tokenFile: z.string().min(1).optional(),
  })
  .strict();
type ServeOptions = z.infer<typeof serveOptionsSchema>;

/**
 * What the tools answer from. Loaded after the protocol has started: the docs layer, DuckDB,
 * the database and the index's cold start take about a second, which a client waiting for
 * its `initialize` answer should not see.
 */
interface DocsBackend {
  searcher: Searcher;
  directory: LibraryDirectory;
}

async function openBackend(ctx: CliContext, opts: ServeOptions, name: string): Promise<DocsBackend> {
  const [{ pool }, docs] = await Promise.all([ctx.db(), import('../../docs/index.js')]);
  // A library nobody knows fails here, naming the known ones.
  for (const library of opts.library) await docs.getLibrary(pool, library);
  const lake = await ctx.lake();
  const searcher = await docs.openLakeSearcher({
    pool,
    lake,
    client: `mcp:${name}`,
    logger: ctx.logger,
    libraries: opts.library,
    cacheDir: ctx.searchCacheDir,
    ...serverSearcherOptions(opts.http ? 'http' : 'stdio'),
  });
  return { searcher, directory: pgLibraryDirectory(pool) };
}

/**
 * Serves the libraries until the client goes (stdio) or a signal comes (HTTP). One searcher is
 * shared by every request and picks up new snapshots by itself. Over stdio the protocol starts
 * first and the backend loads meanwhile: initialize and tools/list are answered at once, tool
 * calls wait for the backend, and should it fail to load, each call answers with its error.
 * Over HTTP the server listens once the backend is loaded.
 */
async function serveDocs(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const name = serverName('docs', opts.library);
  const backend = openBackend(ctx, opts, name);
  const searcher = backend.then((b) => b.searcher);
  const createServer = () =>
    createDocsServer({
      searcher,
      directory: backend.then((b) => b.directory),
      libraries: opts.library,
      tokenBudget: ctx.config.mcp.tokenBudget,
      version: bosunVersion(),
      logger: ctx.logger,
    });
  try {
    if (!opts.http) {
      backend.catch((err: unknown) => ctx.logger.error({ err }, `${name} cannot answer: loading its libraries failed`));
      await serveStdio(createServer());
      return;
    }
    await backend;
    const token = httpToken(ctx.config.mcp, opts.tokenFile);
    const running = await serveHttp({
      host: opts.host,
      port: opts.port,
      ...(token ? { token } : {}),
      createServer,
      logger: ctx.logger,
    });
    if (ctx.json) emitLine({ event: 'listening', url: running.url, server: name });
    else process.stdout.write(`${name} MCP server at ${running.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.close();
  } finally {
    await (await searcher.catch(() => null))?.close();
  }
}

/** `bosun mcp docs`: documentation libraries as an MCP server, over stdio (default) or Streamable HTTP. */
export function registerMcpDocsCommand(mcp: Command, wrap: Wrap): void {
  mcp
    .command('docs')
    .description('serve documentation libraries to an AI assistant (stdio, or --http on 127.0.0.1)')
    .option(
      '--library <name>',
      'serve this library (repeat for several; default: all); with one, tools default to it',
      collect,
      [],
    )
    .option('--http', 'serve Streamable HTTP at http://<host>:<port>/mcp instead of stdio')
    .option('--host <host>', 'HTTP host (loopback unless a token is given)', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0 = any free one)', '7331')
    .option(
      '--token-file <file>',
      'a 0600 file holding the bearer token (default: BOSUN_MCP_TOKEN, mcp.token, mcp.tokenFile)',
    )
    .action(
      wrap(async (ctx, raw: Record<string, unknown>) =>
        serveDocs(ctx, parseWith(serveOptionsSchema, raw, 'options of mcp docs')),
      ),
    );
}

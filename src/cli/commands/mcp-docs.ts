import type { Command } from 'commander';
import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import { getLibrary, lakeDataPathOf, openLakeSearcher } from '../../docs/index.js';
import { openLake } from '../../lake/index.js';
import { serverName } from '../../mcp/clients.js';
import { createDocsServer, pgDocsCatalog } from '../../mcp/docs/index.js';
import { serveHttp } from '../../mcp/http.js';
import { serveStdio } from '../../mcp/stdio.js';
import { bosunVersion } from '../../mcp/version.js';
import type { CliContext } from '../context.js';
import { emit, emitLine } from '../output.js';
import type { Wrap } from './wrap.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** `mcp docs` options as commander gives them (strings), validated. */
const serveOptionsSchema = z
  .object({
    library: z.array(z.string().min(1).max(200)).transform((names) => [...new Set(names)]),
    http: z.boolean().optional(),
    host: z.string().min(1),
    port: z.coerce.number().int().min(0).max(65535),
    token: z.string().min(16, 'a bearer token is at least 16 characters').optional(),
  })
  .strict();
type ServeOptions = z.infer<typeof serveOptionsSchema>;

/**
 * Serves the libraries until the client goes (stdio) or a signal comes (HTTP). One searcher is
 * shared by every request and picks up new snapshots by itself. Over stdio the protocol starts
 * while the index loads, so the client's initialize is answered at once; over HTTP the server
 * listens once the index is loaded.
 */
async function serveDocs(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const { pool } = await ctx.db();
  // A library nobody knows fails now, naming the known ones, not at the first call.
  for (const library of opts.library) await getLibrary(pool, library);
  const lake = await openLake({ pool, dataPath: lakeDataPathOf(ctx.loaded), logger: ctx.logger });
  const name = serverName('docs', opts.library);
  const searcher = openLakeSearcher({ pool, lake, client: `mcp:${name}`, logger: ctx.logger, libraries: opts.library });
  const catalog = pgDocsCatalog(pool);
  const version = bosunVersion();
  const createServer = () =>
    createDocsServer({ searcher, catalog, libraries: opts.library, tokenBudget: ctx.config.mcp.tokenBudget, version, logger: ctx.logger });
  try {
    if (!opts.http) {
      await serveStdio(createServer());
      return;
    }
    await searcher;
    const token = opts.token ?? ctx.config.mcp.token;
    const running = await serveHttp({ host: opts.host, port: opts.port, ...(token ? { token } : {}), createServer, logger: ctx.logger });
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
    .option('--library <name>', 'serve this library (repeat for several; default: all); with one, tools default to it', collect, [])
    .option('--http', 'serve Streamable HTTP at http://<host>:<port>/mcp instead of stdio')
    .option('--host <host>', 'HTTP host (loopback unless a token is given)', '127.0.0.1')
    .option('--port <port>', 'HTTP port (0 = any free one)', '7331')
    .option('--token <token>', 'bearer token HTTP clients must send (default: config mcp.token)')
    .action(wrap(async (ctx, raw: Record<string, unknown>) => serveDocs(ctx, parseWith(serveOptionsSchema, raw, 'options of mcp docs'))));
}

const exportOptionsSchema = z.object({ version: z.string().min(1).max(200).optional(), out: z.string().min(1) }).strict();

/** `bosun docs export`: one library as a standalone MCP server package (needs the `docs` group registered first). */
export function registerDocsExportCommand(program: Command, wrap: Wrap): void {
  const docs = program.commands.find((c) => c.name() === 'docs');
  if (!docs) throw new Error('register the docs commands before docs export');
  docs
    .command('export <library>')
    .description('write a standalone MCP server for one library: Parquet data, a manifest and one bundled server.js (runs with npx <dir> or node <dir>, no database)')
    .option('--version <version>', 'only this version (default: every version)')
    .requiredOption('--out <dir>', 'the package folder (new, empty, or an earlier export, which is replaced)')
    .action(
      wrap(async (ctx, library: string, raw: Record<string, unknown>) => {
        const opts = parseWith(exportOptionsSchema, raw, 'options of docs export');
        const { pool } = await ctx.db();
        const lake = await openLake({ pool, dataPath: lakeDataPathOf(ctx.loaded), logger: ctx.logger });
        // The exporter brings esbuild: loaded only when exporting.
        const { exportLibrary } = await import('../../mcp/export/index.js');
        const res = await exportLibrary(
          { pool, lake, logger: ctx.logger },
          { library, outDir: opts.out, tokenBudget: ctx.config.mcp.tokenBudget, ...(opts.version !== undefined ? { version: opts.version } : {}) },
        );
        const m = res.manifest;
        emit(ctx, res, () =>
          [
            `exported ${m.library} (${m.versions.map((v) => v.version).join(', ')}; snapshot ${m.snapshot_id}) to ${res.dir}`,
            `  ${m.counts.pages} pages, ${m.counts.chunks} chunks, ${m.counts.links} links`,
            `run it: npx ${res.dir}   (or: node ${res.dir})`,
          ].join('\n'),
        );
      }),
    );
}

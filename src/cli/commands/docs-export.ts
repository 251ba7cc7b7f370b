import type { Command } from 'commander';
import { z } from 'zod';
import { parseWith } from '../../core/index.js';
import { emit } from '../output.js';
import type { Wrap } from './wrap.js';

const exportOptionsSchema = z
  .object({ version: z.string().min(1).max(200).optional(), out: z.string().min(1) })
  .strict();

/** `bosun docs export`: one library as a standalone MCP server package (needs the `docs` group registered first). */
export function registerDocsExportCommand(program: Command, wrap: Wrap): void {
  const docs = program.commands.find((c) => c.name() === 'docs');
  if (!docs) throw new Error('register the docs commands before docs export');
  docs
    .command('export <library>')
    .description(
      'write a standalone MCP server for one library: Parquet data, a manifest and one bundled server.js (runs with npx <dir> or node <dir>, no database)',
    )
    .option('--version <version>', 'only this version (default: every version)')
    .requiredOption('--out <dir>', 'the package folder (new, empty, or an earlier export, which is replaced)')
    .action(
      wrap(async (ctx, library: string, raw: Record<string, unknown>) => {
        const opts = parseWith(exportOptionsSchema, raw, 'options of docs export');
        const { pool } = await ctx.db();
        // Imported here: every `bosun docs` command registers this one, and the exporter brings esbuild.
        const [lake, { exportLibrary }] = await Promise.all([ctx.lake(), import('../../mcp/index.js')]);
        const res = await exportLibrary(
          { pool, lake, logger: ctx.logger },
          {
            library,
            outDir: opts.out,
            tokenBudget: ctx.config.mcp.tokenBudget,
            ...(opts.version !== undefined ? { version: opts.version } : {}),
          },
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

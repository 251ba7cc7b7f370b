import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { BosunError, formatBytes, isBosunError, redactUrl } from '../../core/index.js';
import { attachStatement, type Lake, type SnapshotSelector } from '../../lake/index.js';
import type { CliContext } from '../context.js';
import { emit, keyValues, table } from '../output.js';
import type { Wrap } from './wrap.js';
import { commandSummaries } from './summaries.js';

async function openCliLake(ctx: CliContext): Promise<{ lake: Lake; url: string }> {
  const db = await ctx.db();
  return { lake: await ctx.lake(), url: db.target.url };
}

const author = (): string => os.userInfo().username;

const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `30d`, `12h`, `90m`, `0s` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m)
    throw new BosunError('INVALID_INPUT', `'${text}' is not a duration`, {
      hint: 'use a number and a unit: 30d, 12h, 90m, 45s, 0s',
    });
  return Math.round(Number(m[1]) * durationUnits[m[2]!]!);
}

function snapshotSelector(opts: { at?: string; atTime?: string }): SnapshotSelector {
  if (opts.at !== undefined && opts.atTime !== undefined)
    throw new BosunError('INVALID_INPUT', 'give --at or --at-time, not both');
  if (opts.at !== undefined) {
    if (!/^\d+$/.test(opts.at)) throw new BosunError('INVALID_INPUT', `--at takes a snapshot id, got '${opts.at}'`);
    return { snapshot: Number(opts.at) };
  }
  return opts.atTime === undefined ? {} : { at: opts.atTime };
}

/** The DuckDB table function that reads a file to import, chosen by its extension. */
function fileRelation(file: string): string {
  const absolute = path.resolve(file);
  const literal = `'${absolute.replace(/'/g, "''")}'`;
  const ext = path.extname(absolute).toLowerCase();
  if (ext === '.parquet') return `SELECT * FROM read_parquet(${literal})`;
  if (ext === '.csv' || ext === '.tsv') return `SELECT * FROM read_csv(${literal})`;
  if (ext === '.json' || ext === '.jsonl' || ext === '.ndjson') return `SELECT * FROM read_json(${literal})`;
  throw new BosunError('INVALID_INPUT', `cannot import ${file}: unknown file type '${ext || '(none)'}'`, {
    hint: 'import .csv, .tsv, .parquet, .json, .jsonl or .ndjson files',
  });
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** How long ago a file was written, as coarse as a person deciding to delete it needs. */
function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d`;
}

const numericType =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/** Query results as an aligned table: numbers right-aligned, NULL spelled out, a rule under the header. */
function renderTable(columns: { name: string; type: string }[], rows: Record<string, unknown>[]): string {
  return table(
    rows,
    columns.map((c) => c.name),
    {
      nullText: 'NULL',
      rightAligned: columns.filter((c) => numericType.test(c.type)).map((c) => c.name),
      rule: '─',
      headerWhenEmpty: true,
    },
  );
}

function csvField(v: unknown): string {
  const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function registerLakeCommands(program: Command, wrap: Wrap): void {
  const lake = program.command('lake').description(commandSummaries.lake);

  lake
    .command('info')
    .description('catalog, data path, spec version, tables, latest snapshot, size, and how to ATTACH it from DuckDB')
    .action(
      wrap(async (ctx) => {
        const { lake: l, url } = await openCliLake(ctx);
        const info = await l.info();
        const attach = attachStatement(url, l.dataPath);
        const result = { catalog: { schema: 'ducklake', database: redactUrl(url) }, ...info, attach };
        emit(ctx, result, () =>
          [
            keyValues([
              ['catalog', `${result.catalog.database} (schema ducklake)`],
              ['data path', info.dataPath],
              ['spec version', `DuckLake ${info.specVersion}`],
              ['latest snapshot', `${info.latestSnapshot.id} at ${info.latestSnapshot.time}`],
              ['snapshots', info.snapshots],
              ['schemas', info.schemas],
              ['tables', info.tables.length],
              [
                'files',
                `${info.dataFiles} data, ${info.deleteFiles} delete (${info.scheduledForDeletion} scheduled for deletion)`,
              ],
              ['size', formatBytes(info.bytes)],
            ]),
            '',
            info.tables.length
              ? table(
                  info.tables.map((t) => ({
                    table: t.name,
                    rows: t.rows,
                    files: t.dataFiles,
                    size: formatBytes(t.bytes),
                  })),
                )
              : '(no tables)',
            '',
            'Attach it from DuckDB with the ducklake and postgres extensions (the statement holds the password):',
            `  ${attach};`,
          ].join('\n'),
        );
      }),
    );

  lake
    .command('tables')
    .description('tables with their columns, rows, files and size')
    .option('--at <snapshot>', 'as of this snapshot id')
    .option('--at-time <timestamp>', 'as of this time')
    .action(
      wrap(async (ctx, opts: { at?: string; atTime?: string }) => {
        const { lake: l } = await openCliLake(ctx);
        const tables = await l.tables(snapshotSelector(opts));
        emit(ctx, { tables }, () =>
          tables.length
            ? table(
                tables.map((t) => ({
                  table: t.name,
                  rows: t.rows,
                  files: t.dataFiles,
                  size: formatBytes(t.bytes),
                  columns: t.unreadable
                    ? `(cannot be read: ${t.unreadable})`
                    : t.columns.map((c) => `${c.name} ${c.type}`).join(', '),
                })),
              )
            : '(no tables)',
        );
      }),
    );

  lake
    .command('snapshots')
    .description('every snapshot with its changes, author and commit message')
    .option('--table <schema.table>', 'only snapshots that touched this table')
    .action(
      wrap(async (ctx, opts: { table?: string }) => {
        const { lake: l } = await openCliLake(ctx);
        const snapshots = await l.snapshots({ table: opts.table });
        emit(ctx, { snapshots }, () =>
          table(
            snapshots.map((s) => ({
              id: s.id,
              time: s.time,
              changes: s.changesMade,
              author: s.author ?? '',
              message: s.message ?? '',
            })),
          ),
        );
      }),
    );

  lake
    .command('import <table> <file>')
    .description('append a .csv/.tsv/.parquet/.json/.jsonl file to schema.table as one snapshot')
    .option('--create', 'create the table (and its schema) from the file’s columns')
    .option('--message <text>', 'commit message')
    .action(
      wrap(async (ctx, name: string, file: string, opts: { create?: boolean; message?: string }) => {
        const { lake: l } = await openCliLake(ctx);
        const relation = fileRelation(file);
        const result = await l.transaction(
          async (tx) => {
            if (opts.create) {
              const schema = name.includes('.') ? name.slice(0, name.indexOf('.')) : 'main';
              // The schema may exist already: then only the table is new.
              await tx.createSchema(schema).catch((err: unknown) => {
                if (!isBosunError(err, 'CONFLICT')) throw err;
              });
              await tx.createTable(name, { as: relation });
            }
            return tx.append(name, { sql: relation });
          },
          { author: author(), message: opts.message ?? `import ${path.basename(file)}` },
        );
        emit(
          ctx,
          { table: name, rows: result.value, snapshotId: result.snapshotId, changes: result.changes },
          () =>
            `${plural(result.value, 'row')} imported into ${name}` +
            (result.snapshotId === null ? ' (nothing to commit)' : ` (snapshot ${result.snapshotId})`),
        );
      }),
    );

  lake
    .command('delete <table>')
    .description('delete the rows matching a SQL predicate, as one snapshot of delete files')
    .requiredOption('--where <predicate>', 'SQL predicate over the table’s columns')
    .option('--message <text>', 'commit message')
    .action(
      wrap(async (ctx, name: string, opts: { where: string; message?: string }) => {
        const { lake: l } = await openCliLake(ctx);
        const result = await l.delete(name, opts.where, {
          author: author(),
          message: opts.message ?? `delete where ${opts.where}`,
        });
        emit(
          ctx,
          { table: name, ...result },
          () =>
            `${plural(result.rows, 'row')} deleted from ${name}` +
            (result.snapshotId === null ? ' (nothing matched; no snapshot)' : ` (snapshot ${result.snapshotId})`),
        );
      }),
    );

  lake
    .command('sql <query>')
    .description('run a SELECT where every lake table is schema.table (read-only)')
    .option('--at <snapshot>', 'as of this snapshot id')
    .option('--at-time <timestamp>', 'as of this time (ISO 8601)')
    .option('--format <format>', 'table | csv | json', 'table')
    .action(
      wrap(async (ctx, sql: string, opts: { at?: string; atTime?: string; format: string }) => {
        if (!['table', 'csv', 'json'].includes(opts.format))
          throw new BosunError('INVALID_INPUT', `--format must be table, csv or json, not '${opts.format}'`);
        const { lake: l } = await openCliLake(ctx);
        const result = await l.query(sql, snapshotSelector(opts));
        if (ctx.json) {
          emit(ctx, result, () => '');
          return;
        }
        if (opts.format === 'json') process.stdout.write(JSON.stringify(result.rows, null, 2) + '\n');
        else if (opts.format === 'csv') {
          const lines = [
            result.columns.map((c) => csvField(c.name)).join(','),
            ...result.rows.map((r) => result.columns.map((c) => csvField(r[c.name])).join(',')),
          ];
          process.stdout.write(lines.join('\n') + '\n');
        } else {
          process.stdout.write(renderTable(result.columns, result.rows) + '\n');
          process.stderr.write(
            `(${plural(result.rowCount, 'row')}, ${result.elapsedMs} ms, snapshot ${result.snapshotId})\n`,
          );
        }
      }),
    );

  lake
    .command('compact')
    .description('merge adjacent small files (merge_adjacent_files); time travel is unchanged')
    .option('--table <schema.table>', 'only this table')
    .action(
      wrap(async (ctx, opts: { table?: string }) => {
        const { lake: l } = await openCliLake(ctx);
        const result = await l.compact({ table: opts.table });
        emit(ctx, result, () =>
          result.snapshotId === null
            ? 'nothing to compact'
            : table(
                result.tables.map((t) => ({
                  table: t.table,
                  'files merged': t.filesMerged,
                  'files created': t.filesCreated,
                })),
              ) + `\n(snapshot ${result.snapshotId})`,
        );
      }),
    );

  lake
    .command('expire')
    .description('expire snapshots older than a duration (never the latest); their files are scheduled for cleanup')
    .requiredOption('--older-than <duration>', 'e.g. 30d, 12h, 0s')
    .option('--dry-run', 'show what would be expired')
    .action(
      wrap(async (ctx, opts: { olderThan: string; dryRun?: boolean }) => {
        const { lake: l } = await openCliLake(ctx);
        const result = await l.expire({ olderThanMs: parseDuration(opts.olderThan), dryRun: opts.dryRun ?? false });
        const ids = result.expiredSnapshots;
        const range = ids.length ? ` (${ids[0]}…${ids.at(-1)})` : '';
        emit(ctx, result, () =>
          result.dryRun
            ? `would expire ${plural(ids.length, 'snapshot')}${range}; ${plural(result.filesScheduled.length, 'file')} would be scheduled for deletion`
            : `expired ${plural(ids.length, 'snapshot')}${range}; ${plural(result.filesScheduled.length, 'file')} scheduled for deletion (\`bosun lake cleanup\` removes them)`,
        );
      }),
    );

  lake
    .command('cleanup')
    .description('delete files scheduled for deletion, and stray lake files no snapshot refers to (older than an hour)')
    .option('--dry-run', 'list the files without deleting them')
    .option('--older-than <duration>', 'only files scheduled (or written) longer ago than this', '0s')
    .action(
      wrap(async (ctx, opts: { dryRun?: boolean; olderThan: string }) => {
        const { lake: l } = await openCliLake(ctx);
        const result = await l.cleanup({ dryRun: opts.dryRun ?? false, olderThanMs: parseDuration(opts.olderThan) });
        const bytes = result.removed.reduce((n, f) => n + f.bytes, 0);
        emit(
          ctx,
          result,
          () =>
            (result.removed.length
              ? table(
                  result.removed.map((f) => ({
                    file: f.path,
                    reason: f.reason,
                    size: formatBytes(f.bytes),
                    age: formatAge(f.ageMs),
                  })),
                ) + '\n'
              : '') +
            `${result.dryRun ? 'would remove' : 'removed'} ${plural(result.removed.length, 'file')} (${formatBytes(bytes)})`,
        );
      }),
    );
}

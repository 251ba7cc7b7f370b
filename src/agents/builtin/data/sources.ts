import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import picomatch from 'picomatch';
import { BosunError } from '../../../core/index.js';
import { quoteLiteral } from '../../../lake/index.js';

export const FORMATS = ['csv', 'tsv', 'json', 'ndjson', 'parquet'] as const;
export type FileFormat = (typeof FORMATS)[number];

/** Reader options passed on to DuckDB's read_csv / read_json, by name; values are checked, never pasted. */
const READER_OPTIONS: Record<string, 'string' | 'boolean' | 'integer' | 'types'> = {
  delim: 'string',
  quote: 'string',
  escape: 'string',
  header: 'boolean',
  skip: 'integer',
  nullstr: 'string',
  dateformat: 'string',
  timestampformat: 'string',
  all_varchar: 'boolean',
  sample_size: 'integer',
  columns: 'types',
  types: 'types',
  ignore_errors: 'boolean',
  union_by_name: 'boolean',
  filename: 'boolean',
};

const TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ,()[\]]*$/;

function optionLiteral(name: string, value: unknown): string {
  const kind = READER_OPTIONS[name];
  if (!kind)
    throw new BosunError('INVALID_INPUT', `unknown reader option '${name}'`, {
      hint: `known options: ${Object.keys(READER_OPTIONS).join(', ')}`,
      details: { retryable: false },
    });
  const bad = (expected: string) =>
    new BosunError('INVALID_INPUT', `reader option ${name} must be ${expected}`, { details: { retryable: false } });
  if (kind === 'string') {
    if (typeof value !== 'string') throw bad('a string');
    return quoteLiteral(value);
  }
  if (kind === 'boolean') {
    if (typeof value !== 'boolean') throw bad('true or false');
    return String(value);
  }
  if (kind === 'integer') {
    if (!Number.isInteger(value)) throw bad('an integer');
    return String(value);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('an object of column: type');
  const entries = Object.entries(value as Record<string, unknown>).map(([col, type]) => {
    if (typeof type !== 'string' || !TYPE_NAME.test(type))
      throw bad(`an object of column: type (${col} is not a type)`);
    return `${quoteLiteral(col)}: ${quoteLiteral(type)}`;
  });
  return `{${entries.join(', ')}}`;
}

/** The format a file name says, when it says one. */
export function formatOf(name: string): FileFormat | null {
  const ext = path
    .extname(name.replace(/[?#].*$/, '').replace(/\.gz$/, ''))
    .toLowerCase()
    .slice(1);
  if (ext === 'jsonl') return 'ndjson';
  return (FORMATS as readonly string[]).includes(ext) ? (ext as FileFormat) : null;
}

/** The DuckDB table function reading `files` in `format`, with the reader options; CSV keeps its bad rows in reject tables. */
export function readerSql(files: string, format: FileFormat, options: Record<string, unknown>): string {
  const args = [quoteLiteral(files)];
  for (const [name, value] of Object.entries(options)) args.push(`${name} = ${optionLiteral(name, value)}`);
  if (format === 'parquet') {
    if (Object.keys(options).some((o) => o !== 'union_by_name' && o !== 'filename'))
      throw new BosunError('INVALID_INPUT', 'Parquet takes only the union_by_name and filename options', {
        details: { retryable: false },
      });
    return `read_parquet(${args.join(', ')})`;
  }
  if (format === 'json' || format === 'ndjson') {
    args.push(`format = ${quoteLiteral(format === 'ndjson' ? 'newline_delimited' : 'auto')}`);
    return `read_json(${args.join(', ')})`;
  }
  if (format === 'tsv' && !('delim' in options)) args.push(`delim = '\\t'`);
  args.push('store_rejects = true');
  return `read_csv(${args.join(', ')})`;
}

/** The files a path or glob names (relative ones in the task folder), and the directory DuckDB must be allowed to read. */
export async function resolveFiles(source: string, workDir: string): Promise<{ pattern: string; directory: string }> {
  const absolute = path.resolve(workDir, source);
  const { base, isGlob } = picomatch.scan(absolute);
  const directory = isGlob ? base || '/' : path.dirname(absolute);
  if (!isGlob) {
    if (!fs.existsSync(absolute))
      throw new BosunError('NOT_FOUND', `no such file: ${absolute}`, { details: { retryable: false } });
  }
  return { pattern: absolute, directory };
}

export interface Download {
  file: string;
  bytes: number;
  contentType: string | null;
}

/** Fetches an http(s) URL into `dir`, refusing bodies over `maxBytes` and giving up after `timeoutMs`. */
export async function download(
  url: string,
  dir: string,
  limits: { maxBytes: number; timeoutMs: number; signal: AbortSignal },
): Promise<Download> {
  const signal = AbortSignal.any([limits.signal, AbortSignal.timeout(limits.timeoutMs)]);
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw new BosunError('FETCH_FAILED', `cannot fetch ${url}: ${(err as Error).message}`, {
      details: { retryable: true },
    });
  }
  if (!res.ok || !res.body)
    throw new BosunError('FETCH_FAILED', `${url} answered ${res.status} ${res.statusText}`, {
      details: { retryable: res.status >= 500 },
    });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await res.body.cancel();
    throw new BosunError('TOO_LARGE', `${url} is ${declared} bytes, over the limit of ${limits.maxBytes}`, {
      hint: 'raise max_bytes',
      details: { retryable: false },
    });
  }
  await fsp.mkdir(dir, { recursive: true });
  const name = path.basename(new URL(url).pathname) || 'download';
  const file = path.join(dir, name);
  let bytes = 0;
  const counted = Readable.fromWeb(res.body as never).on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limits.maxBytes)
      counted.destroy(
        new BosunError('TOO_LARGE', `${url} is over the limit of ${limits.maxBytes} bytes`, {
          hint: 'raise max_bytes',
          details: { retryable: false },
        }),
      );
  });
  try {
    await pipeline(counted, fs.createWriteStream(file), { signal });
  } catch (err) {
    await fsp.rm(file, { force: true });
    if (err instanceof BosunError) throw err;
    throw new BosunError('FETCH_FAILED', `cannot fetch ${url}: ${(err as Error).message}`, {
      details: { retryable: true },
    });
  }
  return { file, bytes, contentType: res.headers.get('content-type') };
}

/** The format a response's content type says. */
export function formatOfContentType(type: string | null): FileFormat | null {
  if (!type) return null;
  if (/text\/csv/.test(type)) return 'csv';
  if (/tab-separated/.test(type)) return 'tsv';
  if (/x-ndjson|jsonl/.test(type)) return 'ndjson';
  if (/json/.test(type)) return 'json';
  if (/parquet/.test(type)) return 'parquet';
  return null;
}

export interface Rejected {
  count: number;
  examples: { line: number; column: string | null; error: string; text: string | null }[];
}

/** The rows read_csv refused (its reject tables), counted and with examples; none for other formats. */
export async function rejectedRows(conn: DuckDBConnection, format: FileFormat, examples: number): Promise<Rejected> {
  if (format !== 'csv' && format !== 'tsv') return { count: 0, examples: [] };
  const count = await conn.runAndReadAll(`SELECT count(DISTINCT (file_id, line)) AS n FROM reject_errors`);
  const rows = await conn.runAndReadAll(
    `SELECT line, column_name, error_message, csv_line FROM reject_errors ORDER BY file_id, line LIMIT ${Math.trunc(examples)}`,
  );
  return {
    count: Number(count.getRowObjectsJson()[0]!.n),
    examples: rows.getRowObjectsJson().map((r) => ({
      line: Number(r.line),
      column: r.column_name === null ? null : String(r.column_name),
      error: String(r.error_message),
      text: r.csv_line === null ? null : String(r.csv_line),
    })),
  };
}

/** The columns of a relation, as DuckDB names their types. */
export async function describeColumns(
  conn: DuckDBConnection,
  relation: string,
): Promise<{ name: string; type: string }[]> {
  const rows = (await conn.runAndReadAll(`DESCRIBE ${relation}`)).getRowObjectsJson();
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

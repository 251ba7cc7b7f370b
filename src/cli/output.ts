import { BosunError, toBosunError } from '../core/errors.js';
import type { CliContext } from './context.js';

/** Results go to stdout: JSON with --json, else the human rendering. */
export function emit(ctx: { json: boolean }, data: unknown, human: () => string): void {
  process.stdout.write(ctx.json ? JSON.stringify(data, null, 2) + '\n' : human() + '\n');
}

/** One JSON object per line, for progress streams with --json. */
export function emitLine(data: unknown): void {
  process.stdout.write(JSON.stringify(data) + '\n');
}

/** `error[CODE]: message` + hint on stderr, or `{ "error": … }` on stdout with --json. */
export function reportError(err: unknown, json: boolean): number {
  const e = toBosunError(err);
  if (json) {
    process.stdout.write(JSON.stringify({ error: e.toJSON() }, null, 2) + '\n');
  } else {
    process.stderr.write(`error[${e.code}]: ${e.message}\n`);
    if (e.hint) process.stderr.write(`  hint: ${e.hint}\n`);
    if (e.code === 'INTERNAL' && e.cause instanceof Error && e.cause.stack && process.env.BOSUN_DEBUG) {
      process.stderr.write(e.cause.stack + '\n');
    }
  }
  return e.exitCode;
}

export interface TableStyle {
  /** How an absent value reads (default: empty). */
  nullText?: string;
  /** Columns whose values line up on the right (numbers). */
  rightAligned?: readonly string[];
  /** The character of the rule under the header (default `-`). */
  rule?: string;
  /** Print the header of an empty result instead of `(none)`. */
  headerWhenEmpty?: boolean;
}

/** Renders rows as an aligned text table. */
export function table(rows: Record<string, unknown>[], columns?: string[], style: TableStyle = {}): string {
  if (!rows.length && !(style.headerWhenEmpty && columns)) return '(none)';
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? (style.nullText ?? '')
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  const right = cols.map((c) => style.rightAligned?.includes(c) ?? false);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(cols),
    line(widths.map((w) => (style.rule ?? '-').repeat(w))),
    ...rows.map((r) => line(cols.map((c) => cell(r[c])))),
  ].join('\n');
}

/** `key: value` lines. */
export function keyValues(pairs: [string, unknown][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(([k, v]) => `${(k + ':').padEnd(width + 1)} ${v === null || v === undefined ? '-' : String(v)}`)
    .join('\n');
}

export function parsePositiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new BosunError('INVALID_INPUT', `${what} must be a positive integer, got '${value}'`);
  return n;
}

export type Action<A extends unknown[]> = (ctx: CliContext, ...args: A) => Promise<void>;

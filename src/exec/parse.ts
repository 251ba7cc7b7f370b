import { parse as parseDelimited } from 'csv-parse/sync';
import { z } from 'zod';
import { BosunError, parseWith } from '../core/index.js';

/** A short, single-line excerpt of bad output for error messages. */
function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export interface JsonOutputOptions {
  /**
   * When the whole text is not JSON, accept its last non-empty line instead: for tools that log
   * progress on stdout before printing their JSON result.
   */
  lastLine?: boolean;
}

/** Parses a command's JSON output; bad JSON becomes EXEC_FAILED naming `what` and quoting the text. */
export function parseJsonOutput<T = unknown>(
  text: string,
  what = 'command output',
  options: JsonOutputOptions = {},
): T {
  const { lastLine } = parseWith(z.object({ lastLine: z.boolean().optional() }).strict(), options, 'JSON options');
  if (text.trim() === '') throw new BosunError('EXEC_FAILED', `${what} is empty, expected JSON`);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    if (lastLine) {
      const last = text.trimEnd().split(/\r?\n/).pop()!;
      try {
        return JSON.parse(last) as T;
      } catch {
        // Report the error of the whole text: it is the one that explains most.
      }
    }
    throw new BosunError('EXEC_FAILED', `${what} is not valid JSON (${(err as Error).message}): ${excerpt(text)}`, {
      cause: err,
    });
  }
}

export interface CsvOptions {
  /** One character; default `,`. */
  delimiter?: string;
  /** First row names the columns (default true): records; false: rows of fields. */
  header?: boolean;
  /** Drop spaces around fields, as in `nvidia-smi --format=csv` (default false). */
  trim?: boolean;
}

const csvOptionsSchema = z
  .object({
    delimiter: z.string().length(1).optional(),
    header: z.boolean().optional(),
    trim: z.boolean().optional(),
  })
  .strict();

function parseTable(
  text: string,
  options: CsvOptions,
  format: 'CSV' | 'TSV',
  quoted: boolean,
): Record<string, string>[] | string[][] {
  const opts = parseWith(csvOptionsSchema, options, `${format} options`);
  try {
    return parseDelimited(text, {
      delimiter: opts.delimiter ?? ',',
      columns: opts.header ?? true,
      trim: opts.trim ?? false,
      quote: quoted ? '"' : false,
      bom: true,
      skip_empty_lines: true,
    });
  } catch (err) {
    throw new BosunError('EXEC_FAILED', `output is not valid ${format}: ${(err as Error).message}`, { cause: err });
  }
}

/** RFC 4180 CSV (quoted fields may hold delimiters and newlines). Rows of unequal length are an error. */
export function parseCsv(text: string, options: CsvOptions & { header: false }): string[][];
export function parseCsv(text: string, options?: CsvOptions & { header?: true }): Record<string, string>[];
export function parseCsv(text: string, options?: CsvOptions): Record<string, string>[] | string[][];
export function parseCsv(text: string, options: CsvOptions = {}): Record<string, string>[] | string[][] {
  return parseTable(text, options, 'CSV', true);
}

export type TsvOptions = Omit<CsvOptions, 'delimiter'>;

/** Tab-separated values as tools print them: no quoting, so a `"` is an ordinary character. */
export function parseTsv(text: string, options: TsvOptions & { header: false }): string[][];
export function parseTsv(text: string, options?: TsvOptions & { header?: true }): Record<string, string>[];
export function parseTsv(text: string, options?: TsvOptions): Record<string, string>[] | string[][];
export function parseTsv(text: string, options: TsvOptions = {}): Record<string, string>[] | string[][] {
  return parseTable(text, { ...options, delimiter: '\t' }, 'TSV', false);
}

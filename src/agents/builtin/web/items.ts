import { createHash } from 'node:crypto';

/**
 * From the feed's raw items to the rows of the scrape table: each item validated, its fields
 * flattened to text, and duplicates dropped by a key field or, without one, by a hash of the
 * fields (so the same product listed on two pages is one row).
 */

/** Columns Bosun adds to every scrape table; items' own fields with these names are ignored. */
export const META_COLUMNS = ['_key', '_url', '_scraped_at'] as const;

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** A user's spider may yield anything; a table with more columns than this is a mistake, not a dataset. */
const MAX_FIELDS = 200;

export interface ItemRules {
  /** Field names in column order (the config's fields); for a user's spider, found in the items. */
  fields?: readonly string[];
  /** Fields every item must have (non-empty). */
  required: readonly string[];
  /** The field that identifies an item; else a hash of all fields. */
  key?: string;
}

export interface PreparedItems {
  fields: string[];
  rows: Record<string, string | null>[];
  duplicates: number;
  invalid: number;
  /** Why items were refused, each reason once with a count. */
  problems: Record<string, number>;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  return JSON.stringify(value);
}

function fieldsOf(items: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const item of items)
    for (const name of Object.keys(item)) {
      if (seen.size >= MAX_FIELDS) break;
      if (FIELD_NAME.test(name) && !(META_COLUMNS as readonly string[]).includes(name)) seen.add(name);
    }
  return [...seen];
}

export function prepareItems(raw: readonly Record<string, unknown>[], rules: ItemRules): PreparedItems {
  const fields = rules.fields ? [...rules.fields] : fieldsOf(raw);
  const rows: Record<string, string | null>[] = [];
  const seen = new Set<string>();
  const problems: Record<string, number> = {};
  let duplicates = 0;
  const refuse = (why: string) => (problems[why] = (problems[why] ?? 0) + 1);
  for (const item of raw) {
    const values = Object.fromEntries(fields.map((name) => [name, text(item[name])]));
    if (fields.every((name) => values[name] === null)) {
      refuse('every field is empty');
      continue;
    }
    const missing = rules.required.filter((name) => values[name] === null);
    if (missing.length) {
      refuse(`missing ${missing.join(', ')}`);
      continue;
    }
    const key = rules.key
      ? values[rules.key]
      : createHash('sha256')
          .update(JSON.stringify(fields.map((name) => values[name])))
          .digest('hex')
          .slice(0, 32);
    if (key === null || key === undefined) {
      refuse(`no key field ${rules.key}`);
      continue;
    }
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    const url = typeof item._url === 'string' ? item._url : typeof item.url === 'string' ? item.url : null;
    rows.push({ _key: key, _url: url, ...values });
  }
  const invalid = Object.values(problems).reduce((a, b) => a + b, 0);
  return { fields, rows, duplicates, invalid, problems };
}

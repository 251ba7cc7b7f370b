import { z } from 'zod';
import YAML from 'yaml';
import { BosunError, formatZodIssues } from '../../../core/index.js';
import { quoteIdent, quoteLiteral } from '../../../lake/index.js';

/**
 * The rule language of data.quality, modelled on dbt tests and Soda checks. In JSON and YAML a
 * rule is one key naming it, with `severity` (warn | error, default error) and `name` beside it:
 * `{"not_null": ["a","b"]}`, `{"unique": "id"}`, `{"range": {"column": "amount", "min": 0}}`…
 */

const column = z.string().min(1);
const columns = z.union([column, z.array(column).min(1)]);
const bound = z.union([z.number(), z.string()]);
const ruleBodies = {
  not_null: columns,
  unique: columns,
  accepted_values: z
    .object({ column, values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) })
    .strict(),
  range: z
    .object({ column, min: bound.optional(), max: bound.optional() })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, 'a range needs min or max'),
  regex: z.object({ column, pattern: z.string().min(1) }).strict(),
  row_count: z
    .object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
    .strict()
    .refine((r) => r.min !== undefined || r.max !== undefined, 'a row_count needs min or max'),
  freshness: z.object({ column, max_age: z.string().min(1) }).strict(),
  relationships: z.object({ column, to_table: z.string().min(1), to_column: column }).strict(),
  expression: z.string().min(1),
} as const;

export type RuleKind = keyof typeof ruleBodies;
export const RULE_KINDS = Object.keys(ruleBodies) as RuleKind[];

export interface Rule {
  kind: RuleKind;
  name: string;
  severity: 'warn' | 'error';
  body: unknown;
}

const severity = z.enum(['warn', 'error']).default('error');

/** One rule from its JSON/YAML shape; `where` names it in errors (rules[2]). */
function parseRule(value: unknown, where: string): Rule {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw invalid(`${where} must be an object with one rule key (${RULE_KINDS.join(', ')})`);
  const { severity: sev, name, ...rest } = value as Record<string, unknown>;
  const kinds = Object.keys(rest);
  if (kinds.length !== 1 || !(RULE_KINDS as string[]).includes(kinds[0]!))
    throw invalid(
      `${where} must have exactly one rule key out of ${RULE_KINDS.join(', ')}; it has ${kinds.join(', ') || 'none'}`,
    );
  const kind = kinds[0] as RuleKind;
  const body = ruleBodies[kind].safeParse(rest[kind]);
  if (!body.success) throw invalid(`${where} (${kind}): ${formatZodIssues(body.error)}`);
  const sevParsed = severity.safeParse(sev);
  if (!sevParsed.success) throw invalid(`${where}: severity is warn or error`);
  if (name !== undefined && (typeof name !== 'string' || !name)) throw invalid(`${where}: name is a non-empty string`);
  return {
    kind,
    name: name ?? defaultName(kind, body.data),
    severity: sevParsed.data,
    body: body.data,
  };
}

function defaultName(kind: RuleKind, body: unknown): string {
  const b = body as Record<string, unknown>;
  if (kind === 'not_null' || kind === 'unique') return `${kind}(${[body].flat().join(', ')})`;
  if (kind === 'expression') return `expression(${String(body)})`;
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  if (kind === 'row_count') return `row_count(${text(b.min)}..${text(b.max)})`;
  if (kind === 'relationships')
    return `relationships(${String(b.column)} → ${String(b.to_table)}.${String(b.to_column)})`;
  return `${kind}(${String(b.column)})`;
}

const invalid = (message: string) =>
  new BosunError('INVALID_INPUT', `invalid rules: ${message}`, {
    hint: 'see docs/agents.md, "data.quality": each rule is one key such as {"not_null": ["id"]}',
    details: { retryable: false },
  });

/** A rule list, or a rules file's text (JSON or YAML: a list, or `{rules: [...]}`). */
export function parseRules(value: unknown): Rule[] {
  const list = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && Array.isArray((value as { rules?: unknown }).rules)
      ? (value as { rules: unknown[] }).rules
      : null;
  if (!list) throw invalid('expected a list of rules (or an object with rules: [...])');
  return list.map((r, i) => parseRule(r, `rules[${i}]`));
}

export function parseRulesText(text: string, file: string): Rule[] {
  let value: unknown;
  try {
    value = YAML.parse(text);
  } catch (err) {
    throw invalid(`${file} is neither JSON nor YAML: ${(err as Error).message}`);
  }
  return parseRules(value);
}

/** SQL literal for a bound or an accepted value. */
const literal = (v: string | number | boolean): string => (typeof v === 'string' ? quoteLiteral(v) : String(v));

/** `24h`, `7d`, `30m`, `90s`, `2w` → a DuckDB interval. */
export function intervalOf(maxAge: string): string {
  const m = /^(\d+)\s*(s|m|h|d|w)$/.exec(maxAge.trim());
  if (!m) throw invalid(`max_age ${maxAge} is not a duration such as 30m, 24h or 7d`);
  const unit = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week' }[m[2] as 's'];
  return `INTERVAL ${Number(m[1])} ${unit}`;
}

/**
 * How a rule is checked: a predicate that a failing row satisfies (counted in one scan with the
 * other row rules), or its own query for rules about the whole table or groups of rows.
 */
export type RuleCheck =
  | { kind: 'row'; failing: string }
  | { kind: 'duplicates'; key: string[] }
  | { kind: 'table'; sql: (relation: string) => string; describe: (value: unknown) => string }
  | { kind: 'orphans'; column: string; toRelation: string; toColumn: string };

export function ruleCheck(rule: Rule, resolveRelation: (table: string) => string): RuleCheck {
  const b = rule.body as Record<string, unknown>;
  const col = (name: unknown) => quoteIdent(String(name));
  switch (rule.kind) {
    case 'not_null':
      return {
        kind: 'row',
        failing: [rule.body as string | string[]]
          .flat()
          .map((c) => `${col(c)} IS NULL`)
          .join(' OR '),
      };
    case 'unique':
      return { kind: 'duplicates', key: [rule.body as string | string[]].flat() };
    case 'accepted_values':
      return {
        kind: 'row',
        failing: `${col(b.column)} IS NOT NULL AND ${col(b.column)} NOT IN (${(b.values as (string | number)[]).map(literal).join(', ')})`,
      };
    case 'range': {
      const parts = [];
      if (b.min !== undefined) parts.push(`${col(b.column)} < ${literal(b.min as number)}`);
      if (b.max !== undefined) parts.push(`${col(b.column)} > ${literal(b.max as number)}`);
      return { kind: 'row', failing: parts.join(' OR ') };
    }
    case 'regex':
      return {
        kind: 'row',
        failing: `${col(b.column)} IS NOT NULL AND NOT regexp_full_match(CAST(${col(b.column)} AS VARCHAR), ${quoteLiteral(String(b.pattern))})`,
      };
    case 'expression':
      return { kind: 'row', failing: `NOT (${String(rule.body)})` };
    case 'row_count':
      return {
        kind: 'table',
        sql: (r) => {
          const parts = [];
          if (b.min !== undefined) parts.push(`count(*) >= ${Number(b.min)}`);
          if (b.max !== undefined) parts.push(`count(*) <= ${Number(b.max)}`);
          return `SELECT ${parts.join(' AND ')} AS ok, count(*) AS value FROM ${r}`;
        },
        describe: (v) => `${String(v)} rows`,
      };
    case 'freshness':
      return {
        kind: 'table',
        sql: (r) =>
          `SELECT coalesce(max(${col(b.column)}) >= now() - ${intervalOf(String(b.max_age))}, false) AS ok, CAST(max(${col(b.column)}) AS VARCHAR) AS value FROM ${r}`,
        describe: (v) =>
          `newest ${String(b.column)} is ${v === undefined || v === null ? 'none' : String(v)} (max age ${String(b.max_age)})`,
      };
    case 'relationships':
      return {
        kind: 'orphans',
        column: String(b.column),
        toRelation: resolveRelation(String(b.to_table)),
        toColumn: String(b.to_column),
      };
  }
}

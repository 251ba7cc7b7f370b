import { z } from 'zod';

/**
 * The part of JSON Schema that skills use for their inputs and outputs, checked by a small
 * validator of our own. A manifest that uses any other keyword is rejected when it is loaded,
 * so nothing a manifest declares goes silently unchecked.
 */
export interface JsonSchema {
  $schema?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: 'uri';
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

const jsonTypes = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;
type JsonType = (typeof jsonTypes)[number];

const validRegex = z.string().refine((p) => {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

const count = z.number().int().min(0);

export const jsonSchemaSchema: z.ZodType<JsonSchema> = z.lazy(() =>
  z
    .object({
      $schema: z.string().optional(),
      title: z.string().optional(),
      description: z.string().optional(),
      type: z.union([z.enum(jsonTypes), z.array(z.enum(jsonTypes)).min(1)]).optional(),
      properties: z.record(jsonSchemaSchema).optional(),
      required: z.array(z.string()).optional(),
      additionalProperties: z.union([z.boolean(), jsonSchemaSchema]).optional(),
      items: jsonSchemaSchema.optional(),
      enum: z.array(z.unknown()).min(1).optional(),
      const: z.unknown().optional(),
      default: z.unknown().optional(),
      examples: z.array(z.unknown()).optional(),
      minimum: z.number().optional(),
      maximum: z.number().optional(),
      minLength: count.optional(),
      maxLength: count.optional(),
      minItems: count.optional(),
      maxItems: count.optional(),
      pattern: validRegex.optional(),
      format: z.literal('uri').optional(),
      anyOf: z.array(jsonSchemaSchema).min(1).optional(),
      oneOf: z.array(jsonSchemaSchema).min(1).optional(),
    })
    .strict(),
);

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function matchesType(value: unknown, type: JsonType): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isUri(value: string): boolean {
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

export interface JsonValidation {
  /** The value with `default`s filled in for missing object properties. */
  value: unknown;
  /** `where: problem` lines; empty when the value is valid. */
  errors: string[];
}

/** Validates `value` against `schema`, filling in defaults; never throws. */
export function validateJson(schema: JsonSchema, value: unknown, where = '(root)'): JsonValidation {
  const errors: string[] = [];
  const result = check(schema, value, where, errors);
  return { value: result, errors };
}

function check(schema: JsonSchema, value: unknown, where: string, errors: string[]): unknown {
  const fail = (problem: string) => errors.push(`${where}: ${problem}`);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      fail(`expected ${types.join(' or ')}, got ${typeOf(value)}`);
      return value;
    }
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value)))
    fail(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if (schema.const !== undefined && !deepEqual(schema.const, value)) fail(`must be ${JSON.stringify(schema.const)}`);
  let out = value;
  if (typeof value === 'string') checkString(schema, value, fail);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`must be <= ${schema.maximum}`);
  }
  if (Array.isArray(value)) out = checkArray(schema, value, where, errors, fail);
  if (typeOf(value) === 'object') out = checkObject(schema, value as Record<string, unknown>, where, errors, fail);
  if (schema.anyOf && !schema.anyOf.some((s) => validateJson(s, out, where).errors.length === 0)) {
    fail(`must match at least one of: ${schema.anyOf.map(describe).join(' | ')}`);
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((s) => validateJson(s, out, where).errors.length === 0).length;
    if (matching !== 1)
      fail(`must match exactly one of: ${schema.oneOf.map(describe).join(' | ')} (matches ${matching})`);
  }
  return out;
}

function checkString(schema: JsonSchema, value: string, fail: (p: string) => void): void {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength)
    fail(`must be at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined && length > schema.maxLength)
    fail(`must be at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
    fail(`must match /${schema.pattern}/`);
  if (schema.format === 'uri' && !isUri(value)) fail('must be an absolute URI');
}

function checkArray(
  schema: JsonSchema,
  value: unknown[],
  where: string,
  errors: string[],
  fail: (p: string) => void,
): unknown[] {
  if (schema.minItems !== undefined && value.length < schema.minItems)
    fail(`must have at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined && value.length > schema.maxItems)
    fail(`must have at most ${schema.maxItems} items`);
  const items = schema.items;
  return items ? value.map((item, i) => check(items, item, `${where}[${i}]`, errors)) : value;
}

function checkObject(
  schema: JsonSchema,
  value: Record<string, unknown>,
  where: string,
  errors: string[],
  fail: (p: string) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  const at = (key: string) => (where === '(root)' ? key : `${where}.${key}`);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (out[key] === undefined && prop.default !== undefined) out[key] = structuredClone(prop.default);
  }
  for (const key of schema.required ?? []) {
    if (out[key] === undefined) errors.push(`${at(key)}: is required`);
  }
  for (const [key, item] of Object.entries(out)) {
    const prop = schema.properties?.[key];
    if (prop) out[key] = check(prop, item, at(key), errors);
    else if (schema.additionalProperties === false)
      fail(`unknown key '${key}'${schema.properties ? ` (known: ${Object.keys(schema.properties).join(', ')})` : ''}`);
    else if (typeof schema.additionalProperties === 'object')
      out[key] = check(schema.additionalProperties, item, at(key), errors);
  }
  return out;
}

/** A short rendering of a schema for "must match one of" messages. */
function describe(schema: JsonSchema): string {
  if (schema.required?.length) return `{${schema.required.join(', ')}}`;
  if (schema.type) return Array.isArray(schema.type) ? schema.type.join('|') : schema.type;
  return schema.title ?? 'schema';
}

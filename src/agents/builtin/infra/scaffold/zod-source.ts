import { BosunError } from '../../../../core/index.js';

/**
 * Turns a tool's JSON Schema into zod source code for the generated server. The server's
 * schemas are written out as code rather than converted at start-up so that the project a
 * person receives reads like one written by hand, and depends on zod alone. Only the keywords
 * below are supported; anything else is refused here rather than silently dropped, so a
 * generated tool never accepts what its declaration forbids.
 */

const SUPPORTED = new Set([
  'type',
  'description',
  'enum',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'items',
  'minItems',
  'maxItems',
  'properties',
  'required',
  'additionalProperties',
  'title',
]);

type Schema = Record<string, unknown>;

const lit = (v: unknown) => JSON.stringify(v);

function refuse(where: string, why: string): never {
  throw new BosunError('INVALID_INPUT', `input_schema ${where}: ${why}`, {
    hint: 'supported: type (string, number, integer, boolean, array, object), enum, default, minimum, maximum, minLength, maxLength, pattern, items, minItems, maxItems, properties, required, description',
    details: { retryable: false },
  });
}

function base(schema: Schema, where: string): string {
  for (const key of Object.keys(schema)) if (!SUPPORTED.has(key)) refuse(where, `keyword '${key}' is not supported`);
  if (Array.isArray(schema.enum)) {
    const values = schema.enum as unknown[];
    if (values.length && values.every((v) => typeof v === 'string')) return `z.enum(${lit(values)})`;
    return `z.union([${values.map((v) => `z.literal(${lit(v)})`).join(', ')}])`;
  }
  let s: string;
  switch (schema.type) {
    case 'string':
      s = 'z.string()';
      if (typeof schema.minLength === 'number') s += `.min(${schema.minLength})`;
      if (typeof schema.maxLength === 'number') s += `.max(${schema.maxLength})`;
      if (typeof schema.pattern === 'string') s += `.regex(new RegExp(${lit(schema.pattern)}))`;
      return s;
    case 'number':
    case 'integer':
      s = schema.type === 'integer' ? 'z.number().int()' : 'z.number()';
      if (typeof schema.minimum === 'number') s += `.min(${schema.minimum})`;
      if (typeof schema.maximum === 'number') s += `.max(${schema.maximum})`;
      return s;
    case 'boolean':
      return 'z.boolean()';
    case 'array':
      s = `z.array(${schema.items ? zodSource(schema.items as Schema, `${where}.items`) : 'z.unknown()'})`;
      if (typeof schema.minItems === 'number') s += `.min(${schema.minItems})`;
      if (typeof schema.maxItems === 'number') s += `.max(${schema.maxItems})`;
      return s;
    case 'object':
      return `z.object(${shapeSource(schema, where)})${schema.additionalProperties === false ? '.strict()' : '.passthrough()'}`;
    default:
      return refuse(
        where,
        `type ${lit(schema.type)} is not supported (give one of string, number, integer, boolean, array, object)`,
      );
  }
}

/** The zod expression for one schema (description and default included). */
export function zodSource(schema: Schema, where: string): string {
  let s = base(schema, where);
  if (typeof schema.description === 'string') s += `.describe(${lit(schema.description)})`;
  return s;
}

/** The `{ key: zod, … }` shape of an object schema: what McpServer.registerTool takes as inputSchema. */
export function shapeSource(schema: Schema, where = '(root)'): string {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  for (const name of required) if (!(name in properties)) refuse(where, `required '${name}' has no property`);
  const entries = Object.entries(properties).map(([key, prop]) => {
    let s = zodSource(prop, `${where}.${key}`);
    if (prop.default !== undefined) s += `.default(${lit(prop.default)})`;
    else if (!required.has(key)) s += '.optional()';
    return `${lit(key)}: ${s}`;
  });
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

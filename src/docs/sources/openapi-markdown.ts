/**
 * OpenAPI 3 → markdown: one page per operation and one per component schema, with local
 * `$ref`s resolved. Schemas become flat field tables (`owner.address.city`, `items[].id`) that
 * search and chunking handle well; nested named schemas are expanded a few levels deep and a
 * schema already being expanded (a cycle) is shown as a link marked recursive.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** A schema's table opens itself and the named schemas it uses directly, no deeper. */
const MAX_NAMED_DEPTH = 2;
const MAX_ROWS = 300;

/** Local `$ref` resolution (`#/components/...`) with cycle and chain-length guards. */
export class Refs {
  constructor(private readonly doc: Obj) {}

  /** Follows `$ref`s to the object they name; `name` is the last schema name on the way. */
  resolve(value: unknown): { value: Obj | undefined; name?: string; broken?: string } {
    let current = value;
    let name: string | undefined;
    const chain = new Set<string>();
    while (isObj(current) && typeof current.$ref === 'string') {
      const ref = current.$ref;
      if (chain.has(ref) || chain.size > 20) return { value: undefined, name, broken: `circular $ref ${ref}` };
      chain.add(ref);
      name = schemaName(ref) ?? name;
      current = this.pointer(ref);
      if (current === undefined) return { value: undefined, name, broken: `unresolved $ref ${ref}` };
    }
    return { value: isObj(current) ? current : undefined, ...(name ? { name } : {}) };
  }

  private pointer(ref: string): unknown {
    if (!ref.startsWith('#/')) return undefined;
    let at: unknown = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      at = isObj(at) ? at[key] : Array.isArray(at) ? at[Number(key)] : undefined;
    }
    return at;
  }
}

function schemaName(ref: string): string | undefined {
  return ref
    .match(/^#\/components\/schemas\/([^/]+)$/)?.[1]
    ?.replace(/~1/g, '/')
    .replace(/~0/g, '~');
}

export function schemaFile(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.md`;
}

/** Text safe inside one table cell. */
function cell(text: string | undefined): string {
  return (text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  description: string;
}

/** Renders schemas relative to a page folder (`linkPrefix` reaches the schemas/ folder). */
class SchemaRenderer {
  constructor(
    private readonly refs: Refs,
    private readonly linkPrefix: string,
  ) {}

  link(name: string): string {
    return `[${name}](${this.linkPrefix}${schemaFile(name)})`;
  }

  /** A one-line type: `string (date-time)`, `array of [Pet](…)`, `one of: A, B`, `enum: a, b`. */
  typeOf(schema: unknown, stack: string[] = []): string {
    const { value, name, broken } = this.refs.resolve(schema);
    if (broken) return broken;
    if (!value) return 'any';
    if (name && isObj(schema) && '$ref' in schema)
      return stack.includes(name) ? `${this.link(name)} (recursive)` : this.link(name);
    const types = Array.isArray(value.type)
      ? value.type.map(String)
      : value.type === undefined
        ? []
        : [String(value.type)];
    const base = types.filter((t) => t !== 'null');
    const options = Array.isArray(value.oneOf) ? value.oneOf : Array.isArray(value.anyOf) ? value.anyOf : undefined;
    let text: string;
    if (options) text = `${value.oneOf ? 'one of' : 'any of'}: ${options.map((o) => this.typeOf(o, stack)).join(', ')}`;
    else if (Array.isArray(value.allOf)) text = value.allOf.map((o) => this.typeOf(o, stack)).join(' & ');
    else if (base.includes('array') || value.items !== undefined) text = `array of ${this.typeOf(value.items, stack)}`;
    else if (base.length > 0) text = base.join(' | ') + (str(value.format) ? ` (${value.format as string})` : '');
    else text = isObj(value.properties) ? 'object' : 'any';
    if (Array.isArray(value.enum)) text += `, one of: ${value.enum.map((e) => `\`${JSON.stringify(e)}\``).join(', ')}`;
    if (value.nullable === true || types.includes('null')) text += ', nullable';
    return text;
  }

  /** The flat field table of an object schema (properties of allOf parts merged), or nothing for scalars. */
  table(schema: unknown, stack: string[] = [], named = 0): string {
    const rows: Row[] = [];
    this.rows(schema, '', stack, named, rows);
    if (rows.length === 0) return '';
    const lines = ['| Field | Type | Required | Description |', '|---|---|---|---|'];
    for (const r of rows.slice(0, MAX_ROWS))
      lines.push(`| \`${r.field}\` | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${cell(r.description)} |`);
    if (rows.length > MAX_ROWS) lines.push(`| … | ${rows.length - MAX_ROWS} more fields | | |`);
    return lines.join('\n');
  }

  /** `named` counts the named schemas being expanded: nested ones have their own pages, so only the first level opens. */
  private rows(schema: unknown, prefix: string, stack: string[], named: number, out: Row[]): void {
    if (out.length > MAX_ROWS) return;
    const { value } = this.refs.resolve(schema);
    if (!value) return;
    const names = [schema, ...(Array.isArray(value.allOf) ? (value.allOf as unknown[]) : [])].flatMap((s) => {
      const ref = isObj(s) ? str(s.$ref) : undefined;
      const refName = ref === undefined ? undefined : schemaName(ref);
      return refName === undefined ? [] : [refName];
    });
    if (names.length > 0) {
      if (names.some((n) => stack.includes(n)) || named >= MAX_NAMED_DEPTH) return;
      stack = [...stack, ...names];
      named++;
    }
    const { properties, required } = this.objectParts(value);
    for (const [key, prop] of Object.entries(properties)) {
      const field = prefix + key;
      const resolved = this.refs.resolve(prop).value;
      out.push({
        field,
        type: this.typeOf(prop, stack),
        required: required.has(key),
        description: str(resolved?.description) ?? '',
      });
      const items =
        resolved && (resolved.type === 'array' || resolved.items !== undefined) ? resolved.items : undefined;
      if (items !== undefined) this.rows(items, `${field}[].`, stack, named, out);
      else this.rows(prop, `${field}.`, stack, named, out);
    }
    const extra = value.additionalProperties;
    if (isObj(extra)) {
      out.push({ field: `${prefix}*`, type: this.typeOf(extra, stack), required: false, description: 'any other key' });
      this.rows(extra, `${prefix}*.`, stack, named, out);
    }
  }

  /** Properties and required names of an object schema, merging allOf parts. */
  private objectParts(value: Obj, seen = new Set<Obj>()): { properties: Obj; required: Set<string> } {
    const properties: Obj = {};
    const required = new Set<string>();
    if (seen.has(value)) return { properties, required };
    seen.add(value);
    for (const part of Array.isArray(value.allOf) ? value.allOf : []) {
      const resolved = this.refs.resolve(part).value;
      if (!resolved) continue;
      const inner = this.objectParts(resolved, seen);
      Object.assign(properties, inner.properties);
      inner.required.forEach((r) => required.add(r));
    }
    if (isObj(value.properties)) Object.assign(properties, value.properties);
    if (Array.isArray(value.required)) value.required.forEach((r) => required.add(String(r)));
    return { properties, required };
  }
}

export interface Operation {
  method: (typeof HTTP_METHODS)[number];
  path: string;
  op: Obj;
  /** Parameters declared on the path item, overridden by the operation's own. */
  pathParameters: unknown[];
}

/** The markdown page of one operation. */
export function operationMarkdown(o: Operation, refs: Refs): string {
  const schemas = new SchemaRenderer(refs, '../schemas/');
  const { op } = o;
  const signature = `${o.method.toUpperCase()} ${o.path}`;
  const summary = str(op.summary);
  const out = [`# ${summary ?? signature}`, '', `\`${signature}\``, ''];
  const facts = [
    str(op.operationId) && `**Operation ID:** \`${op.operationId as string}\``,
    Array.isArray(op.tags) && op.tags.length > 0 && `**Tags:** ${op.tags.join(', ')}`,
    op.deprecated === true && '**Deprecated**',
  ].filter(Boolean);
  if (facts.length) out.push(facts.join(' · '), '');
  if (str(op.description)) out.push(op.description as string, '');

  const params = mergeParameters(o.pathParameters, Array.isArray(op.parameters) ? op.parameters : [], refs);
  if (params.length > 0) {
    out.push('## Parameters', '', '| Name | In | Type | Required | Description |', '|---|---|---|---|---|');
    for (const p of params) {
      out.push(
        `| \`${cell(str(p.name))}\` | ${cell(str(p.in))} | ${cell(schemas.typeOf(p.schema))} | ${p.required === true ? 'yes' : 'no'} | ${cell(str(p.description))} |`,
      );
    }
    out.push('');
  }

  const body = refs.resolve(op.requestBody);
  if (body.value) {
    out.push('## Request body', '');
    if (body.broken) out.push(body.broken, '');
    if (str(body.value.description)) out.push(body.value.description as string, '');
    out.push(...content(body.value.content, schemas, body.value.required === true ? ' (required)' : ''));
  } else if (body.broken) {
    out.push('## Request body', '', body.broken, '');
  }

  if (isObj(op.responses)) {
    out.push('## Responses', '');
    for (const [status, response] of Object.entries(op.responses)) {
      const r = refs.resolve(response);
      out.push(
        `### ${status}${r.value && str(r.value.description) ? ` — ${cell(r.value.description as string)}` : ''}`,
        '',
      );
      if (r.broken) out.push(r.broken, '');
      if (r.value) out.push(...content(r.value.content, schemas, ''));
    }
  }

  if (Array.isArray(op.security) && op.security.length > 0) {
    const schemes = op.security.flatMap((req) => (isObj(req) ? Object.keys(req) : []));
    out.push('## Security', '', schemes.length ? schemes.map((s) => `- \`${s}\``).join('\n') : 'none', '');
  }
  return out.join('\n').trimEnd() + '\n';
}

function content(media: unknown, schemas: SchemaRenderer, required: string): string[] {
  if (!isObj(media)) return [];
  const out: string[] = [];
  for (const [type, entry] of Object.entries(media)) {
    const schema = isObj(entry) ? entry.schema : undefined;
    out.push(`\`${type}\`${required}${schema === undefined ? '' : `: ${schemas.typeOf(schema)}`}`, '');
    const table = schema === undefined ? '' : schemas.table(schema);
    if (table) out.push(table, '');
    const example = isObj(entry) ? entry.example : undefined;
    if (example !== undefined) out.push('Example:', '', '```json', JSON.stringify(example, null, 2), '```', '');
  }
  return out;
}

function mergeParameters(pathLevel: unknown[], opLevel: unknown[], refs: Refs): Obj[] {
  const byKey = new Map<string, Obj>();
  for (const p of [...pathLevel, ...opLevel]) {
    const resolved = refs.resolve(p).value;
    if (resolved) byKey.set(`${String(resolved.in)}:${String(resolved.name)}`, resolved);
  }
  return [...byKey.values()];
}

/** The markdown page of one component schema. */
export function schemaMarkdown(name: string, schema: unknown, refs: Refs): string {
  const schemas = new SchemaRenderer(refs, './');
  const value = refs.resolve(schema).value ?? {};
  const out = [`# ${name}`, ''];
  if (str(value.title) && value.title !== name) out.push(`*${value.title as string}*`, '');
  if (str(value.description)) out.push(value.description as string, '');
  out.push(`**Type:** ${schemas.typeOf(schema, [name])}`, '');
  const table = schemas.table(schema, [name], 1);
  if (table) out.push('## Fields', '', table, '');
  for (const combiner of ['oneOf', 'anyOf'] as const) {
    const options = value[combiner];
    if (Array.isArray(options))
      out.push(
        `## ${combiner === 'oneOf' ? 'One of' : 'Any of'}`,
        '',
        ...options.map((o) => `- ${schemas.typeOf(o, [name])}`),
        '',
      );
  }
  if (value.example !== undefined)
    out.push('## Example', '', '```json', JSON.stringify(value.example, null, 2), '```', '');
  return out.join('\n').trimEnd() + '\n';
}

/** The overview page: title, servers, operations by tag, schemas. */
export function indexMarkdown(
  info: Obj,
  servers: unknown,
  operations: { file: string; o: Operation }[],
  schemaNames: string[],
): string {
  const out = [`# ${str(info.title) ?? 'API'}`, ''];
  if (info.version !== undefined) out.push(`**Version:** ${String(info.version)}`, '');
  if (str(info.description)) out.push(info.description as string, '');
  if (Array.isArray(servers) && servers.length > 0) {
    out.push(
      '## Servers',
      '',
      ...servers
        .filter(isObj)
        .map((s) => `- \`${String(s.url)}\`${str(s.description) ? ` — ${s.description as string}` : ''}`),
      '',
    );
  }
  const byTag = new Map<string, string[]>();
  for (const { file, o } of operations) {
    const tag = Array.isArray(o.op.tags) && o.op.tags.length > 0 ? String(o.op.tags[0]) : 'Other';
    const line = `- [\`${o.method.toUpperCase()} ${o.path}\`](${file})${str(o.op.summary) ? ` — ${o.op.summary as string}` : ''}`;
    byTag.set(tag, [...(byTag.get(tag) ?? []), line]);
  }
  out.push('## Operations', '');
  for (const [tag, lines] of byTag) out.push(`### ${tag}`, '', ...lines, '');
  if (schemaNames.length > 0)
    out.push('## Schemas', '', ...schemaNames.map((n) => `- [${n}](schemas/${schemaFile(n)})`), '');
  return out.join('\n').trimEnd() + '\n';
}

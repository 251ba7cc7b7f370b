import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BosunError, parseWith, silentLogger } from '../../core/index.js';
import { innerAbort } from './abort.js';
import { pageDoc, pathFilter, uniquePath } from './document.js';
import { HttpClient } from './http.js';
import {
  HTTP_METHODS,
  Refs,
  indexMarkdown,
  operationMarkdown,
  schemaFile,
  schemaMarkdown,
  type Operation,
} from './openapi-markdown.js';
import { loadRootText } from './page.js';
import { limits, type OpenApiSpec } from './spec.js';
import type { AcquireContext, SourceDocument } from './types.js';

// YAML reads `openapi: 3.1` and `version: 1.0` as numbers.
const versionString = z.union([z.string(), z.number()]).transform(String);

const openApiSchema = z
  .object({
    openapi: versionString.refine(
      (v) => /^3\.\d+/.test(v),
      'expected an OpenAPI 3.x version such as "3.0.3" or "3.1.0"',
    ),
    info: z.object({ title: z.string(), version: versionString }).passthrough(),
    paths: z.record(z.string().startsWith('/', 'a path must start with /'), z.record(z.unknown())),
    components: z
      .object({ schemas: z.record(z.unknown()).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** An OpenAPI 3 document (JSON or YAML, file or URL) as markdown pages: `operations/…`, `schemas/…` and `index.md`. */
export async function* acquireOpenApi(spec: OpenApiSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  const lim = limits(spec);
  const abort = innerAbort(ctx.signal);
  try {
    const http = new HttpClient({
      concurrency: 1,
      rate: lim.rate,
      maxBytes: lim.maxPageBytes,
      logger: ctx.logger ?? silentLogger,
      signal: abort.signal,
    });
    const root = await loadRootText(spec, http, lim.maxPageBytes);
    const doc = parseOpenApi(root.text, spec.url ?? spec.path ?? root.name);
    const version = spec.version ?? doc.info.version;
    const wanted = pathFilter(spec.include, spec.exclude);
    const pages = [...renderPages(doc)].filter((p) => wanted(p.path)).slice(0, lim.maxPages);
    let done = 0;
    for (const page of pages) {
      ctx.signal?.throwIfAborted();
      yield pageDoc({ path: page.path, version, format: 'markdown' }, page.content);
      ctx.onProgress?.({ done: ++done, total: pages.length, current: page.path });
    }
  } finally {
    abort.stop();
  }
}

type OpenApiDoc = z.infer<typeof openApiSchema>;

/** Parses and checks the document; anything that is not OpenAPI 3 with paths is a clear error. */
function parseOpenApi(text: string, what: string): OpenApiDoc {
  let value: unknown;
  try {
    value = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1000 });
  } catch (err) {
    throw new BosunError(
      'INVALID_INPUT',
      `malformed OpenAPI document ${what}: ${(err as Error).message.split('\n')[0]}`,
      {
        hint: 'the document must be valid JSON or YAML',
      },
    );
  }
  if (typeof value === 'object' && value !== null && 'swagger' in value) {
    throw new BosunError('UNSUPPORTED', `${what} is Swagger/OpenAPI 2, not OpenAPI 3`, {
      hint: 'convert it to OpenAPI 3 first (for example with swagger2openapi)',
    });
  }
  return parseWith(
    openApiSchema,
    value,
    `OpenAPI document ${what}`,
    'INVALID_INPUT',
    'an OpenAPI 3 document needs openapi, info and paths',
  );
}

function* renderPages(doc: OpenApiDoc): Generator<{ path: string; content: string }> {
  const refs = new Refs(doc);
  const operations: { file: string; o: Operation }[] = [];
  const taken = new Set<string>();
  for (const [path, rawItem] of Object.entries(doc.paths)) {
    const item = refs.resolve(rawItem).value ?? {};
    const pathParameters = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (typeof op !== 'object' || op === null) continue;
      const o: Operation = { method, path, op: op as Record<string, unknown>, pathParameters };
      const file = uniquePath(`operations/${operationSlug(o)}.md`, taken);
      operations.push({ file, o });
      yield { path: file, content: operationMarkdown(o, refs) };
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {});
  for (const [name, schema] of schemas)
    yield { path: `schemas/${schemaFile(name)}`, content: schemaMarkdown(name, schema, refs) };
  yield {
    path: 'index.md',
    content: indexMarkdown(
      doc.info,
      doc.servers,
      operations,
      schemas.map(([name]) => name),
    ),
  };
}

/** The operationId when there is one, else `method-path` (`get-pets-petId`). */
function operationSlug(o: Operation): string {
  const id = typeof o.op.operationId === 'string' ? o.op.operationId : `${o.method}-${o.path}`;
  return (
    id
      .replace(/[{}]/g, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '') || o.method
  );
}

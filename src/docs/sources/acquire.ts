import { parseWith } from '../../core/index.js';
import { limits, sourceSpecSchema, type SourceSpec } from './spec.js';
import type { AcquireContext, SourceDocument } from './types.js';
import { versionsFromFolders } from './versions.js';

/**
 * Every page of a source, as raw documents. Problems with the source as a whole (missing
 * folder, bad ref, malformed OpenAPI…) throw a BosunError; problems with one page come back
 * as that page's `error`. With `versionsFrom: 'folders'`, version folders in the pages' paths
 * name their versions (see versionsFromFolders).
 */
export async function* acquire(spec: SourceSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  const valid = parseWith(sourceSpecSchema, spec, 'source');
  if (valid.versionsFrom === 'folders') {
    // The folder decides the version; `version` then selects one of them.
    yield* versionsFromFolders(pages({ ...valid, version: undefined }, ctx), valid.version);
  } else {
    yield* pages(valid, ctx);
  }
}

/** Each kind's module is imported when a source of that kind is read: a folder's sync loads no crawler. */
async function* pages(spec: SourceSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  switch (spec.kind) {
    case 'local': {
      const lim = limits(spec);
      const { walkFolder } = await import('./local.js');
      yield* walkFolder(
        spec.path,
        { ...spec, version: spec.version ?? null, maxPages: lim.maxPages, maxPageBytes: lim.maxPageBytes },
        ctx,
      );
      return;
    }
    case 'documents':
      yield* (await import('./documents.js')).acquireDocuments(spec, ctx);
      return;
    case 'git':
      yield* (await import('./git.js')).acquireGit(spec, ctx);
      return;
    case 'web':
      yield* (await import('./web.js')).acquireWeb(spec, ctx);
      return;
    case 'llms':
      yield* (await import('./llms.js')).acquireLlms(spec, ctx);
      return;
    case 'openapi':
      yield* (await import('./openapi.js')).acquireOpenApi(spec, ctx);
      return;
    case 'scrapy':
      yield* (await import('./scrapy.js')).acquireScrapy(spec, ctx);
      return;
  }
}

import { parseWith } from '../../core/index.js';
import { acquireDocuments } from './documents.js';
import { acquireGit } from './git.js';
import { acquireLlms } from './llms.js';
import { walkFolder } from './local.js';
import { acquireOpenApi } from './openapi.js';
import { acquireScrapy } from './scrapy.js';
import { limits, sourceSpecSchema, type SourceSpec } from './spec.js';
import type { AcquireContext, SourceDocument } from './types.js';
import { versionsFromFolders } from './versions.js';
import { acquireWeb } from './web.js';

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

function pages(spec: SourceSpec, ctx: AcquireContext): AsyncGenerator<SourceDocument> {
  switch (spec.kind) {
    case 'local': {
      const lim = limits(spec);
      return walkFolder(
        spec.path,
        { ...spec, version: spec.version ?? null, maxPages: lim.maxPages, maxPageBytes: lim.maxPageBytes },
        ctx,
      );
    }
    case 'documents':
      return acquireDocuments(spec, ctx);
    case 'git':
      return acquireGit(spec, ctx);
    case 'web':
      return acquireWeb(spec, ctx);
    case 'llms':
      return acquireLlms(spec, ctx);
    case 'openapi':
      return acquireOpenApi(spec, ctx);
    case 'scrapy':
      return acquireScrapy(spec, ctx);
  }
}

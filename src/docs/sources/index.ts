/**
 * docs/sources: raw documents from a local folder, a git repository, a website, an llms.txt or
 * an OpenAPI 3 document, with their versions. Parsing them is the next stage's job.
 */
export { acquire } from './acquire.js';
export { detectSource, type DetectOptions } from './detect.js';
export { sourceSpecSchema, DEFAULT_MAX_PAGE_BYTES, type SourceSpec } from './spec.js';
export { splitVersionFolder } from './versions.js';
export { CHROMIUM_PATH } from './render.js';
export { fetchWebPages, type FetchedWebPage, type FetchWebPagesOptions } from './fetch-pages.js';
export {
  previousKey,
  type AcquireContext,
  type DocFormat,
  type PreviousPageState,
  type ProgressEvent,
  type SourceDocument,
} from './types.js';

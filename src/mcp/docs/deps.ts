import type { Searcher } from '../../docs/index.js';
import type { ToolContext } from '../tool.js';
import type { AnswerBudget } from './budget.js';
import type { LibraryDirectory } from './library-directory.js';
import type { LibraryScope } from './scope.js';

/** What every docs tool works with. */
export interface DocsToolDeps {
  /** Still loading while the first requests arrive (a stdio server answers initialize at once). */
  searcher: Promise<Searcher>;
  /** Likewise (in a Bosun installation it needs the database). */
  directory: Promise<LibraryDirectory>;
  scope: LibraryScope;
  budget: AnswerBudget;
  tools: ToolContext;
}

/** `library` as one-library tools take it: optional when the server serves one library. */
export function libraryDescription(scope: LibraryScope): string {
  return scope.defaultLibrary
    ? `the library (default ${scope.defaultLibrary})`
    : 'the library, one of those list_libraries shows';
}

import { BosunError } from '../../core/index.js';
import type { Searcher } from '../../docs/index.js';

/**
 * Which libraries a docs server serves: the ones it was started with (`--library`), or every
 * library the index holds. With exactly one, tools that work on one library default to it.
 */
export class LibraryScope {
  constructor(
    /** Null: every library. */
    readonly served: readonly string[] | null,
  ) {}

  /** The library tools default to: the only one served, else none. */
  get defaultLibrary(): string | null {
    return this.served?.length === 1 ? this.served[0]! : null;
  }

  /** The libraries a caller may name now: the ones served, or those the searcher holds. */
  known(searcher: Searcher): string[] {
    return this.served ? [...this.served] : [...new Set(searcher.versions.map((v) => v.library))].sort();
  }

  /** The library a one-library tool works on: the one asked for, or the default. */
  one(requested: string | undefined, searcher: Searcher): string {
    if (requested !== undefined) return this.check(requested);
    if (this.defaultLibrary) return this.defaultLibrary;
    throw new BosunError('INVALID_INPUT', 'name the library: this server serves several', {
      hint: `pass library, one of: ${this.known(searcher).join(', ')}`,
    });
  }

  /** The libraries a search covers: the one asked for, else every library served (undefined: all). */
  searched(requested: string | undefined): string[] | undefined {
    if (requested !== undefined) return [this.check(requested)];
    return this.served ? [...this.served] : undefined;
  }

  /**
   * A library this server serves. When it serves every library the searcher is the judge (it
   * also knows libraries registered but not yet indexed).
   */
  check(library: string): string {
    if (this.served && !this.served.includes(library)) {
      throw new BosunError('NOT_FOUND', `unknown library '${library}'`, {
        hint: `libraries: ${this.served.join(', ')}`,
      });
    }
    return library;
  }
}

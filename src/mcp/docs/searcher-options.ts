import type { SearcherOptions } from '../../docs/search/index.js';

/**
 * A docs server does not ask PostgreSQL for the latest snapshot before every call (a round
 * trip on each search's path): Bosun's lake commits are announced (LISTEN/NOTIFY), so the next
 * call sees them anyway, and this poll only catches writers that do not announce theirs (the
 * official DuckLake extension). list_libraries, whose point is freshness, looks at once.
 */
export const SNAPSHOT_CHECK_MS = 1000;

/**
 * How a docs server runs its searcher: for many small calls, each of which should cost little.
 * Over stdio, one client's calls come one after another, and DuckDB runs each query on one
 * thread: a search's queries are small, and parallel workers cost them more CPU than they save
 * (a sixth of a call's CPU on the shared corpora, more time still on a busy machine). Over HTTP
 * the default stays, as the index keeps one connection per thread for concurrent clients.
 */
export function serverSearcherOptions(transport: 'stdio' | 'http'): Pick<SearcherOptions, 'freshnessMs' | 'threads'> {
  return { freshnessMs: SNAPSHOT_CHECK_MS, ...(transport === 'stdio' ? { threads: 1 } : {}) };
}

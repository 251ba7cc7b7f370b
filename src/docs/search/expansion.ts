import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryTerm } from './memory-index.js';

/** A term's associates (docs/postings/associations.ts), strongest first. */
export interface Associate {
  term: string;
  score: number;
}

/** library → term → associates: held in memory with the snapshot, a few hundred KB per library. */
export type Associations = ReadonlyMap<string, ReadonlyMap<string, readonly Associate[]>>;

export const noAssociations: Associations = new Map();

export async function loadAssociations(conn: DuckDBConnection, relation: string): Promise<Associations> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT CAST(library AS VARCHAR) AS library, CAST(term AS VARCHAR) AS term, CAST(related AS VARCHAR) AS related,
              CAST(score AS DOUBLE) AS score
         FROM (${relation}) ORDER BY library, term, score DESC, related`,
    )
  ).getRowObjectsJS();
  const byLibrary = new Map<string, Map<string, Associate[]>>();
  for (const r of rows) {
    const library = String(r.library);
    let terms = byLibrary.get(library);
    if (!terms) byLibrary.set(library, (terms = new Map<string, Associate[]>()));
    const term = String(r.term);
    let associates = terms.get(term);
    if (!associates) terms.set(term, (associates = []));
    associates.push({ term: String(r.related), score: Number(r.score) });
  }
  return byLibrary;
}

export interface ExpansionParameters {
  /** Weight of an associate against a query term's 1, times its association score; 0 turns expansion off. */
  weight: number;
  /** Associates taken per query term. */
  perTerm: number;
}

/**
 * The query terms plus the associates of its own terms (not of their synonyms) in the
 * libraries searched. An associate of several query terms adds up their scores (capped at 1):
 * a word the question's words all point to is the likelier name of what it asks about.
 */
export function expandWithAssociations(
  terms: readonly QueryTerm[],
  asked: readonly string[],
  associations: Associations,
  libraries: readonly string[],
  parameters: ExpansionParameters,
): QueryTerm[] {
  if (parameters.weight === 0 || associations.size === 0) return [...terms];
  const present = new Set(terms.map((t) => t.term));
  const gained = new Map<string, number>();
  for (const library of new Set(libraries)) {
    const table = associations.get(library);
    if (!table) continue;
    for (const term of asked) {
      for (const associate of (table.get(term) ?? []).slice(0, parameters.perTerm)) {
        if (present.has(associate.term)) continue;
        gained.set(associate.term, Math.max(gained.get(associate.term) ?? 0, 0) + associate.score);
      }
    }
  }
  return [...terms, ...[...gained].map(([term, score]) => ({ term, weight: parameters.weight * Math.min(1, score) }))];
}

import type { Lake } from '../../lake/index.js';
import { hasDocsTables } from '../store/read.js';
import { pageAnchorRows, type AnchorLink, type AnchorSourceChunk } from './anchors.js';
import { defaultAssociationOptions, learnTermAssociations, type AssociationOptions } from './associations.js';
import { sqlString } from './sql.js';
import {
  PAGE_ANCHORS_TABLE,
  pageAnchorColumns,
  TERM_ASSOCIATIONS_TABLE,
  termAssociationColumns,
  type IndexColumns,
} from './tables.js';
import { createIfMissing } from './write.js';

export interface SearchSignals {
  anchors: number;
  associations: number;
  snapshotId: number | null;
  ms: number;
}

/**
 * The library-wide search signals, rewritten after a sync: anchor text (from the library's
 * resolved links, which are only known once all its pages are) and term associations (from
 * all its sections, changed or not). Both depend on the whole library rather than on the
 * chunks one sync writes, so they are recomputed from what the sync committed and replace the
 * library's rows in one commit of their own. A searcher that loads the sync's snapshot before
 * this one lands ranks with the previous signals, which is only a little worse.
 */
export async function writeSearchSignals(
  lake: Lake,
  library: string,
  links: readonly AnchorLink[],
  associationOptions: AssociationOptions = defaultAssociationOptions,
): Promise<SearchSignals> {
  const started = performance.now();
  const { anchors, associations } = await lake.withReader({}, async (conn) => {
    if (!(await hasDocsTables(conn, ['chunks', 'chunk_terms']))) return { anchors: [], associations: [] };
    const chunks = (
      await conn.runAndReadAll(`SELECT version, path, text FROM docs.chunks WHERE library = $1`, [library])
    ).getRowObjectsJS() as unknown as AnchorSourceChunk[];
    return {
      anchors: pageAnchorRows(library, links, chunks),
      associations: await learnTermAssociations(conn, library, associationOptions),
    };
  });
  const mine = `library = ${sqlString(library)}`;
  const result = await lake.transaction(
    async (tx) => {
      const replace = async (table: string, columns: IndexColumns, rows: readonly object[]) => {
        if (!(await createIfMissing(tx, table, columns))) await tx.delete(table, mine);
        if (rows.length) await tx.append(table, rows);
      };
      await replace(PAGE_ANCHORS_TABLE, pageAnchorColumns, anchors);
      await replace(TERM_ASSOCIATIONS_TABLE, termAssociationColumns, associations);
    },
    { author: 'bosun docs sync', message: `search signals of ${library}` },
  );
  return {
    anchors: anchors.length,
    associations: associations.length,
    snapshotId: result.snapshotId,
    ms: Math.round(performance.now() - started),
  };
}

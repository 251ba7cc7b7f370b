import type pg from 'pg';
import type { Logger } from '../core/index.js';
import type { Snapshot } from './catalog.js';
import { loadTables, type TableState } from './table-state.js';

/** What every lake operation needs: the catalog, where the files are, and the schema cache. */
export interface LakeSession {
  pool: pg.Pool;
  /** Absolute, ending in `/`. */
  dataPath: string;
  logger: Logger;
  schemas: SchemaCache;
}

/**
 * Tables and their columns (without files) as of the latest schema version. They change only
 * when the schema version does, so a writer's small commit need not read them again; files
 * change with every commit and are never cached.
 */
export class SchemaCache {
  private cached: { version: number; tables: Promise<TableState[]> } | null = null;

  tablesAt(pool: pg.Pool, dataPath: string, snapshot: Snapshot): Promise<TableState[]> {
    if (this.cached?.version !== snapshot.schemaVersion) {
      const tables = loadTables(pool, dataPath, snapshot.id, { files: false });
      const entry = { version: snapshot.schemaVersion, tables };
      tables.catch(() => {
        if (this.cached === entry) this.cached = null;
      });
      this.cached = entry;
    }
    return this.cached.tables;
  }
}

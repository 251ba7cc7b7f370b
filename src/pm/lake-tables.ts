import { isBosunError } from '../core/index.js';
import type { ColumnDefinition, Lake } from '../lake/index.js';

/**
 * Creates lake tables (and their schema) the first time they are needed. Another process may
 * be doing the same at the same moment: its commit then wins, and a second look finds them.
 */
export async function ensureLakeTables(lake: Lake, schema: string, tables: readonly { name: string; columns: readonly ColumnDefinition[] }[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const existing = new Set((await lake.tables()).map((t) => t.name));
    const missing = tables.filter((t) => !existing.has(`${schema}.${t.name}`));
    if (!missing.length) return;
    try {
      await lake.transaction(
        async (tx) => {
          await tx.createSchema(schema).catch((err: unknown) => {
            if (!isBosunError(err, 'CONFLICT')) throw err;
          });
          for (const t of missing) await tx.createTable(`${schema}.${t.name}`, t.columns);
        },
        { author: 'bosun pm', message: `create ${missing.map((t) => `${schema}.${t.name}`).join(', ')}` },
      );
      return;
    } catch (err) {
      if (attempt > 1 || !(isBosunError(err, 'CONFLICT') || isBosunError(err, 'LAKE_CONFLICT'))) throw err;
    }
  }
}

import { isBosunError } from '../core/index.js';
import type { Lake } from './lake.js';
import { parseTableName } from './names.js';
import type { ColumnDefinition } from './transaction.js';

export interface WantedTable {
  /** `schema.table`. */
  name: string;
  columns: readonly ColumnDefinition[];
}

/**
 * Creates the lake tables (and their schemas) that do not exist yet, and adds the columns an
 * existing table lacks (a later Bosun's new column: older rows read it as null), in one commit.
 * Another process may be doing the same at the same moment: its commit then wins, and a
 * second look finds the tables; any other failure, or tables still missing, is the caller's error.
 */
export async function ensureLakeTables(
  lake: Lake,
  tables: readonly WantedTable[],
  commit: { author: string; message: string },
): Promise<void> {
  const missing = async () => {
    const existing = new Map((await lake.tables()).map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
    return tables.flatMap((t) => {
      const columns = existing.get(t.name);
      if (!columns) return [{ table: t, create: true, columns: t.columns }];
      const lacking = t.columns.filter((c) => !columns.has(c.name));
      return lacking.length ? [{ table: t, create: false, columns: lacking }] : [];
    });
  };
  const todo = await missing();
  if (!todo.length) return;
  try {
    await lake.transaction(async (tx) => {
      const created = todo.filter((t) => t.create);
      for (const schema of new Set(created.map((t) => parseTableName(t.table.name).schema))) {
        await tx.createSchema(schema).catch((err: unknown) => {
          if (!isBosunError(err, 'CONFLICT')) throw err;
        });
      }
      for (const t of todo) {
        if (t.create) await tx.createTable(t.table.name, t.columns);
        else for (const column of t.columns) await tx.addColumn(t.table.name, column);
      }
    }, commit);
  } catch (err) {
    if ((await missing()).length) throw err;
  }
}

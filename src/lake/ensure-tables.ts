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
 * Creates the lake tables (and their schemas) that do not exist yet, in one commit. Another
 * process may be doing the same at the same moment: its commit then wins, and a second look
 * finds the tables; any other failure, or tables still missing, is the caller's error.
 */
export async function ensureLakeTables(
  lake: Lake,
  tables: readonly WantedTable[],
  commit: { author: string; message: string },
): Promise<void> {
  const missing = async () => {
    const existing = new Set((await lake.tables()).map((t) => t.name));
    return tables.filter((t) => !existing.has(t.name));
  };
  const todo = await missing();
  if (!todo.length) return;
  try {
    await lake.transaction(async (tx) => {
      for (const schema of new Set(todo.map((t) => parseTableName(t.name).schema))) {
        await tx.createSchema(schema).catch((err: unknown) => {
          if (!isBosunError(err, 'CONFLICT')) throw err;
        });
      }
      for (const t of todo) await tx.createTable(t.name, t.columns);
    }, commit);
  } catch (err) {
    if ((await missing()).length) throw err;
  }
}

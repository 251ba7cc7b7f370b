import fs from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { isBosunError } from '../../../core/index.js';
import type { Lake } from '../../../lake/index.js';

/**
 * Where a scrape's rows go: the lake table `scrape.<name>`, replaced by each run in one snapshot
 * (the table at snapshot N is exactly what run N scraped; earlier runs stay readable by time
 * travel), and the same rows as a CSV file for the task's artifacts.
 */
export const SCRAPE_SCHEMA = 'scrape';

export interface StoredScrape {
  table: string;
  snapshotId: number | null;
  columns: string[];
}

export async function storeScrape(
  lake: Lake,
  name: string,
  fields: readonly string[],
  rows: readonly Record<string, string | null>[],
  message: string,
): Promise<StoredScrape> {
  const table = `${SCRAPE_SCHEMA}.${name}`;
  const scrapedAt = new Date();
  const columns = ['_key', '_url', ...fields, '_scraped_at'];
  const records = rows.map((row) => ({ ...row, _scraped_at: scrapedAt }));
  const result = await lake.transaction(
    async (tx) => {
      const existing = (await lake.tables()).find((t) => t.name === table);
      if (!existing) {
        await tx.createSchema(SCRAPE_SCHEMA).catch((err: unknown) => {
          if (!isBosunError(err, 'CONFLICT')) throw err;
        });
        await tx.createTable(table, [
          ...columns.slice(0, -1).map((c) => ({ name: c, type: 'VARCHAR' })),
          { name: '_scraped_at', type: 'TIMESTAMPTZ' },
        ]);
        // A table created in this transaction has nothing to replace yet.
        await tx.append(table, records);
        return;
      }
      // A later run with other fields widens the table; fields it no longer has read as NULL.
      const have = new Set(existing.columns.map((c) => c.name.toLowerCase()));
      for (const field of fields)
        if (!have.has(field.toLowerCase())) await tx.addColumn(table, { name: field, type: 'VARCHAR' });
      await tx.overwrite(table, records);
    },
    { author: 'bosun web', message, conflictRetries: 3 },
  );
  return { table, snapshotId: result.snapshotId, columns };
}

export async function writeCsv(
  file: string,
  columns: readonly string[],
  rows: readonly Record<string, string | null>[],
): Promise<void> {
  await fs.writeFile(file, stringify(rows as Record<string, unknown>[], { header: true, columns: [...columns] }));
}

import type { Migration } from './db/index.js';
// Each layer's schema comes from its own light `migrations.ts`, not its index: importing a
// layer's whole API (the crawler, DuckDB…) would cost every command its start-up time.
import { dbMigrations } from './db/migrations.js';
import { queueMigrations } from './queue/migrations.js';
import { lakeMigrations } from './lake/migrations.js';
import { docsMigrations, docsSearchMigrations } from './docs/migrations.js';
import { agentsMigrations } from './agents/migrations.js';
import { pmMigrations } from './pm/migrations.js';

/** Every layer's migrations, in layer order (a layer's tables may reference those above it). */
export const allMigrations: readonly Migration[] = [
  ...dbMigrations,
  ...queueMigrations,
  ...lakeMigrations,
  ...docsMigrations,
  ...docsSearchMigrations,
  ...agentsMigrations,
  ...pmMigrations,
];

import { dbMigrations, type Migration } from './db/index.js';
import { queueMigrations } from './queue/index.js';
import { lakeMigrations } from './lake/index.js';
import { docsMigrations, docsSearchMigrations } from './docs/index.js';
import { agentsMigrations } from './agents/index.js';
import { pmMigrations } from './pm/index.js';

/** Every layer's migrations, in layer order (a layer's tables may reference those above it). */
export const allMigrations: readonly Migration[] = [...dbMigrations, ...queueMigrations, ...lakeMigrations, ...docsMigrations, ...docsSearchMigrations, ...agentsMigrations, ...pmMigrations];

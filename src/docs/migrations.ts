/** The docs layer's schema (library metadata, then the search access log), for the composition root. */
export { docsMigrations } from './library/migrations.js';
export { docsSearchMigrations } from './search/migrations.js';

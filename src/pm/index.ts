/**
 * pm/: projects and their lifecycle, tasks, runs and dependencies, templates, handoffs and
 * events, in PostgreSQL (schema bosun). Everything else in Bosun uses this file only.
 */
export { pmMigrations } from './migrations.js';

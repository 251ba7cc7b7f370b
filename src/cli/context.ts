import path from 'node:path';
import { createLogger, loadConfig, type LoadedConfig, type Logger } from '../core/index.js';
import type { Database } from '../db/index.js';
import type { Lake } from '../lake/index.js';
import type { JobQueue } from '../queue/index.js';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
  logLevel?: string;
  databaseUrl?: string;
}

/**
 * What a command needs, opened lazily: a command that never touches the database never starts
 * the embedded server, nor loads the database and queue layers (pg, pg-boss, the embedded
 * server's tooling), which a stdio MCP server would otherwise load before it can answer.
 */
export class CliContext {
  readonly json: boolean;
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  private database: Promise<Database> | null = null;
  private jobQueue: Promise<JobQueue> | null = null;
  private openedLake: Promise<Lake> | null = null;

  constructor(options: GlobalOptions) {
    this.json = options.json ?? false;
    this.loaded = loadConfig({
      home: options.home,
      overrides: { 'database.url': options.databaseUrl, 'log.level': options.logLevel },
    });
    this.logger = createLogger(this.loaded.config.log.level);
  }

  get paths() {
    return this.loaded.paths;
  }

  get config() {
    return this.loaded.config;
  }

  /** Where searchers persist each snapshot's index (docs/search's index cache). */
  get searchCacheDir(): string {
    return path.join(this.paths.cache, 'search');
  }

  db(): Promise<Database> {
    this.database ??= Promise.all([import('../db/index.js'), import('../migrations.js')]).then(
      ([{ openDatabase }, { allMigrations }]) => openDatabase(this.loaded, allMigrations, this.logger),
    );
    return this.database;
  }

  /** The lake (config lake.dataPath, else the home's lake folder), opened once per command. */
  lake(): Promise<Lake> {
    this.openedLake ??= Promise.all([this.db(), import('../lake/index.js')]).then(([db, { openLake }]) =>
      openLake({ pool: db.pool, dataPath: this.config.lake.dataPath ?? this.paths.lake, logger: this.logger }),
    );
    return this.openedLake;
  }

  queue(options: { supervise?: boolean } = {}): Promise<JobQueue> {
    this.jobQueue ??= this.db().then(async (db) => {
      const { JobQueue } = await import('../queue/index.js');
      const q = await JobQueue.open(db.pool, { logger: this.logger, supervise: options.supervise });
      // Every layer's job types: loaded only by commands that use the queue.
      const { allJobTypes } = await import('../jobs.js');
      await q.register(allJobTypes);
      return q;
    });
    return this.jobQueue;
  }

  async close(): Promise<void> {
    if (this.jobQueue) await (await this.jobQueue.catch(() => null))?.close().catch(() => undefined);
    if (this.database) await (await this.database.catch(() => null))?.close().catch(() => undefined);
  }
}

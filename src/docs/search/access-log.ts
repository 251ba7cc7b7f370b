import { z } from 'zod';
import { parseWith, silentLogger, type Logger } from '../../core/index.js';
import type { Pool } from '../../db/index.js';

export interface AccessRecord {
  kind: 'search' | 'read' | 'outline';
  libraries: string[];
  versions: string[];
  query: string | null;
  /** The page, chunk or prefix read or outlined. */
  target: string | null;
  hits: number;
  chunk_ids: string[];
  paths: string[];
  /** Who asked: `cli`, an MCP server's name… */
  client: string | null;
  took_ms: number;
}

export interface AccessLogOptions {
  /** Flush at least this often (default 1 s). */
  flushMs?: number;
  /** Flush as soon as this many records wait (default 200). */
  batchSize?: number;
  /** Records kept while the database is unreachable; older ones are dropped (default 10,000). */
  maxBuffered?: number;
  logger?: Logger;
}

/** Queries longer than this are stored cut: the log is for patterns, not for archiving pastes. */
const MAX_STORED_QUERY = 2000;

/**
 * Records searches and reads in PostgreSQL off the hot path: `record` only appends to a buffer;
 * a timer (or a full batch) writes the buffer as one INSERT. A failed write is logged and its
 * records are kept for the next attempt, up to a bound, so a database hiccup never fails or
 * slows a search.
 */
export class AccessLog {
  private buffer: (AccessRecord & { at: Date })[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxBuffered: number;
  private readonly logger: Logger;

  constructor(
    private readonly pool: Pool,
    options: AccessLogOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 1000;
    this.batchSize = options.batchSize ?? 200;
    this.maxBuffered = options.maxBuffered ?? 10_000;
    this.logger = options.logger ?? silentLogger;
  }

  record(entry: AccessRecord): void {
    this.buffer.push({
      ...entry,
      query: entry.query === null ? null : entry.query.slice(0, MAX_STORED_QUERY),
      at: new Date(),
    });
    if (this.buffer.length > this.maxBuffered) this.buffer.splice(0, this.buffer.length - this.maxBuffered);
    if (this.buffer.length >= this.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** Writes what is buffered now (and waits for a write already under way). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (!this.buffer.length) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  /** Flushes and stops the timer. */
  async close(): Promise<void> {
    await this.flush();
  }

  private async write(batch: (AccessRecord & { at: Date })[]): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO bosun.doc_access (at, kind, libraries, versions, query, target, hits, chunk_ids, paths, client, took_ms)
         SELECT at, kind, libraries, versions, query, target, hits, chunk_ids, paths, client, took_ms
           FROM jsonb_to_recordset($1::jsonb) AS r(at timestamptz, kind text, libraries text[], versions text[], query text,
                target text, hits integer, chunk_ids text[], paths text[], client text, took_ms real)`,
        [JSON.stringify(batch)],
      );
    } catch (err) {
      this.logger.warn({ err, records: batch.length }, 'could not write the docs access log; will retry');
      this.buffer = [...batch, ...this.buffer].slice(-this.maxBuffered);
      this.timer ??= setTimeout(() => void this.flush(), this.flushMs * 5).unref();
    }
  }
}

const accessRow = z.object({
  at: z.date(),
  kind: z.enum(['search', 'read', 'outline']),
  libraries: z.array(z.string()),
  versions: z.array(z.string()),
  query: z.string().nullable(),
  target: z.string().nullable(),
  hits: z.number().int(),
  chunk_ids: z.array(z.string()),
  paths: z.array(z.string()),
  client: z.string().nullable(),
  took_ms: z.number(),
});
export type AccessRow = z.infer<typeof accessRow>;

/** The most recent access records, newest first; optionally of one library. */
export async function recentAccess(
  pool: Pool,
  options: { library?: string; limit?: number } = {},
): Promise<AccessRow[]> {
  const res = await pool.query(
    `SELECT at, kind, libraries, versions, query, target, hits, chunk_ids, paths, client, took_ms
       FROM bosun.doc_access
      WHERE $1::text IS NULL OR libraries @> ARRAY[$1::text]
      ORDER BY at DESC, id DESC
      LIMIT $2`,
    [options.library ?? null, options.limit ?? 100],
  );
  return res.rows.map((row) => parseWith(accessRow, row, 'docs access row', 'DB_ERROR'));
}

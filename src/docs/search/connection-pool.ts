import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * A few connections of the index's DuckDB, so that concurrent searches (an HTTP MCP server
 * with many clients) run side by side instead of queueing on one connection. Each connection
 * keeps its statements prepared: a search runs the same few SQL texts, and parsing and
 * planning them again would cost as much as running them.
 */
export type Prepare = (sql: string) => Promise<DuckDBPreparedStatement>;
type PooledConnection = { conn: DuckDBConnection; prepare: Prepare };

export class ConnectionPool {
  private readonly idle: PooledConnection[];
  private readonly waiting: ((pooled: PooledConnection) => void)[] = [];
  private readonly statements: Map<string, DuckDBPreparedStatement>[] = [];

  private constructor(private readonly all: DuckDBConnection[]) {
    this.idle = all.map((conn) => {
      const cache = new Map<string, DuckDBPreparedStatement>();
      this.statements.push(cache);
      const prepare = async (sql: string) => {
        let statement = cache.get(sql);
        if (!statement) cache.set(sql, (statement = await conn.prepare(sql)));
        return statement;
      };
      return { conn, prepare };
    });
  }

  static async open(db: DuckDBInstance, first: DuckDBConnection, size: number): Promise<ConnectionPool> {
    const conns = [first];
    while (conns.length < size) conns.push(await db.connect());
    return new ConnectionPool(conns);
  }

  use<T>(fn: (prepare: Prepare) => Promise<T>): Promise<T> {
    return this.with((pooled) => fn(pooled.prepare));
  }

  /** A connection for statements run once (not kept prepared). */
  run<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.with((pooled) => fn(pooled.conn));
  }

  private async with<T>(fn: (pooled: PooledConnection) => Promise<T>): Promise<T> {
    const pooled = this.idle.pop() ?? (await new Promise<PooledConnection>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(pooled);
    } finally {
      const next = this.waiting.shift();
      if (next) next(pooled);
      else this.idle.push(pooled);
    }
  }

  close(): void {
    for (const cache of this.statements) for (const statement of cache.values()) statement.destroySync();
    for (const conn of this.all) conn.closeSync();
  }
}

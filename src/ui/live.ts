import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/index.js';
import type { Pool, PoolClient } from '../db/index.js';
import { LAKE_SNAPSHOT_CHANNEL } from '../lake/index.js';
import { PM_EVENT_CHANNEL } from '../pm/index.js';

/** How often an idle stream gets a comment line, so proxies and browsers keep it open. */
const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events for the pages: the project manager's NOTIFYs (task and project changes) and
 * the lake's snapshot announcements, relayed as they arrive on one LISTEN connection. Nothing polls.
 */
export class LiveEvents {
  private readonly streams = new Set<ServerResponse>();
  private client: PoolClient | null = null;
  private keepalive: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const client = await this.pool.connect();
    client.on('notification', (message) => {
      const event = message.channel === PM_EVENT_CHANNEL ? 'pm' : 'lake';
      this.broadcast(event, message.payload ?? '{}');
    });
    client.on('error', (err) => this.logger.warn({ err }, 'the live-events connection failed; pages stop updating'));
    await client.query(`LISTEN ${PM_EVENT_CHANNEL}`);
    await client.query(`LISTEN ${LAKE_SNAPSHOT_CHANNEL}`);
    this.client = client;
    this.keepalive = setInterval(() => {
      for (const res of this.streams) res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
  }

  /** Takes over a request as an event stream until the browser closes it. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('event: ready\ndata: {}\n\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  private broadcast(event: string, payload: string): void {
    // An SSE data field cannot hold a newline; payloads are one-line JSON.
    const frame = `event: ${event}\ndata: ${payload.replace(/\n/g, ' ')}\n\n`;
    for (const res of this.streams) res.write(frame);
  }

  async close(): Promise<void> {
    if (this.keepalive) clearInterval(this.keepalive);
    for (const res of this.streams) res.end();
    this.streams.clear();
    if (this.client) {
      await this.client.query(`UNLISTEN *`).catch(() => undefined);
      this.client.release();
      this.client = null;
    }
  }
}

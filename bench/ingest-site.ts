/**
 * The generated documentation site of bench:ingest, run as a process of its own so that the
 * server does not share the crawler's event loop (a real site runs elsewhere). Prints its start
 * URL as one JSON line and serves until it is stopped.
 *   tsx bench/ingest-site.ts <content pages>
 */
import { startDocsSite } from '../test/docs/sources/site.js';

const site = await startDocsSite(Number(process.argv[2] ?? 1000));
process.stdout.write(JSON.stringify({ start: site.start, pages: site.pages.length }) + '\n');
process.once('SIGTERM', () => void site.close().then(() => process.exit(0)));

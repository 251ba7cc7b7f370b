/**
 * The generated shop of bench:scrape, run as a process of its own so that serving does not share
 * the baseline client's event loop. Prints one JSON line (base, start URL, products) and serves
 * until it is stopped.
 *   tsx bench/scrape-site.ts <products>
 */
import { startShopSite } from '../test/agents/shop-site.js';

const site = await startShopSite({ products: Number(process.argv[2] ?? 1000), perPage: 10 });
process.stdout.write(
  JSON.stringify({
    base: site.base,
    start: site.start,
    products: site.products.length,
    listingPages: site.listingPages,
  }) + '\n',
);
process.once('SIGTERM', () => void site.close().then(() => process.exit(0)));

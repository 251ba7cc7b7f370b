import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A generated shop on 127.0.0.1 for the web agent's tests and bench:scrape. The catalogue lists
 * `products` items, `perPage` to a page, with a "next" link; every product has a detail page.
 * Around it are the hazards a scraper meets: a robots.txt disallow (with products a polite
 * crawler must not see), an endless calendar trap, a page of malformed HTML, a 500, JSON and
 * binary responses, and "featured" duplicates of products listed elsewhere.
 */
export interface ShopProduct {
  sku: string;
  name: string;
  price: string;
  /** The detail page, absolute. */
  url: string;
}

export interface ShopSite {
  base: string;
  /** The first catalogue page. */
  start: string;
  products: ShopProduct[];
  /** Catalogue pages (the listing, pagination included). */
  listingPages: number;
  /** Products only on the robots.txt-disallowed page. */
  hidden: ShopProduct[];
  /** Requests by path, for asserting what a crawl fetched. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export const SHOP_PATHS = {
  robots: '/robots.txt',
  hidden: '/private/clearance.html',
  trap: '/calendar/1',
  broken: '/broken.html',
  json: '/api/stock.json',
  binary: '/download/catalogue.pdf',
};

/** Names with accents and entities, so "exact fields" means exact. */
const ADJECTIVES = ['Café', 'Sturdy', 'Tiny', 'Blue & Green', 'Ergonomic', 'Déjà-vu'];

/** The products a shop at `base` lists (the same for every start): what a scrape must return. */
export function shopProducts(base: string, count: number): ShopProduct[] {
  return Array.from({ length: count }, (_, i) => product(base, i + 1));
}

function product(base: string, i: number): ShopProduct {
  const sku = `SKU-${String(i).padStart(5, '0')}`;
  return {
    sku,
    name: `${ADJECTIVES[i % ADJECTIVES.length]} Widget ${i}`,
    price: `£${(3 + i * 1.37).toFixed(2)}`,
    url: `${base}/product/${sku}.html`,
  };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><header><a href="/catalogue/page-1.html">Shop</a></header>
<main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function listItem(p: ShopProduct, malformed: boolean): string {
  const path = new URL(p.url).pathname;
  // Unquoted attributes and unclosed <li>/<p>: what lxml must recover from.
  if (malformed)
    return `<li class=product><h2><a href=${path}>${escape(p.name)}</a></h2><p class=price>${p.price}<span class=sku>${p.sku}</span>`;
  return `<li class="product"><h2><a href="${path}">${escape(p.name)}</a></h2><p class="price">${p.price}</p><span class="sku">${p.sku}</span></li>`;
}

export interface ShopOptions {
  products?: number;
  perPage?: number;
  /** Every response waits this long (for a crawl killed mid-way). */
  delayMs?: number;
}

export async function startShopSite(options: ShopOptions = {}): Promise<ShopSite> {
  const count = options.products ?? 45;
  const perPage = options.perPage ?? 10;
  const hits = new Map<string, number>();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const products = shopProducts(base, count);
  const hidden = Array.from({ length: 3 }, (_, i) => product(base, 90_000 + i));
  const listingPages = Math.ceil(count / perPage);

  const listing = (n: number): string => {
    const items = products.slice((n - 1) * perPage, n * perPage);
    // Page 1 features the first product of the next page: a duplicate a scraper must drop.
    const featured =
      n === 1 && products[perPage] ? `<ul class="featured">${listItem(products[perPage], false)}</ul>` : '';
    const next = n < listingPages ? `<a class="next" href="/catalogue/page-${n + 1}.html">next</a>` : '';
    const extras =
      n === 1
        ? `<aside><a href="${SHOP_PATHS.hidden}">clearance</a> <a href="${SHOP_PATHS.trap}">events</a>
<a href="${SHOP_PATHS.broken}">gift cards</a> <a href="${SHOP_PATHS.json}">stock</a> <a href="${SHOP_PATHS.binary}">print</a></aside>`
        : '';
    return page(
      `Catalogue page ${n}`,
      `${featured}<ul class="products">${items.map((p) => listItem(p, n === 2)).join('\n')}</ul>${extras}<nav>${next}</nav>`,
    );
  };

  const bySku = new Map([...products, ...hidden].map((p) => [p.sku, p]));
  const respond = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const path = url.pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const html = (body: string) => send(200, 'text/html; charset=utf-8', body);
    let m: RegExpMatchArray | null;
    if (path === SHOP_PATHS.robots) return send(200, 'text/plain', 'User-agent: *\nDisallow: /private/\n');
    if ((m = path.match(/^\/catalogue\/page-(\d+)\.html$/)) && Number(m[1]) >= 1 && Number(m[1]) <= listingPages)
      return html(listing(Number(m[1])));
    if ((m = path.match(/^\/product\/(SKU-\d+)\.html$/)) && bySku.has(m[1]!)) {
      const p = bySku.get(m[1]!)!;
      return html(
        page(
          p.name,
          `<div class="detail"><h2 class="name">${escape(p.name)}</h2><p class="price">${p.price}</p><span class="sku">${p.sku}</span></div>`,
        ),
      );
    }
    if (path === SHOP_PATHS.hidden)
      return html(page('Clearance', `<ul class="products">${hidden.map((p) => listItem(p, false)).join('')}</ul>`));
    if ((m = path.match(/^\/calendar\/(\d+)$/))) {
      const day = Number(m[1]);
      return html(
        page(
          `Day ${day}`,
          `<a href="/calendar/${day + 1}">next day</a> <a href="/calendar/${day + 2}">in two days</a>`,
        ),
      );
    }
    if (path === SHOP_PATHS.broken) return send(500, 'text/html', '<h1>Internal Server Error</h1>');
    if (path === SHOP_PATHS.json) return send(200, 'application/json', JSON.stringify({ stock: 3 }));
    if (path === SHOP_PATHS.binary)
      return send(200, 'application/pdf', Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 3]));
    send(404, 'text/html', '<h1>Not found</h1>');
  };
  server.on('request', (req, res) => {
    if (options.delayMs) setTimeout(() => respond(req, res), options.delayMs);
    else respond(req, res);
  });
  return {
    base,
    start: `${base}/catalogue/page-1.html`,
    products,
    listingPages,
    hidden,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Flags for a headless Chromium that stays off the network on its own (updates, sync, first-run pages). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export interface PageCheck {
  path: string;
  svgElements: number;
  consoleErrors: string[];
  screenshot: string;
}

export interface SiteCheck {
  pages: PageCheck[];
  /** Requests to anywhere but the loopback server, refused. */
  blocked: string[];
}

/** What a built Framework site holds; module scripts must come as JavaScript or the browser refuses them. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Serves a built static site on 127.0.0.1 (Framework's clean URLs: /details → details.html). */
async function serveStatic(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    if (rel.endsWith('/')) rel += 'index';
    let file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    if (!path.extname(file)) file += '.html';
    fs.readFile(file).then(
      (body) =>
        res
          .writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' })
          .end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Opens every page of a built site in real headless Chromium with every non-loopback request
 * refused, waits for the charts to draw, and records their SVG elements, console errors and a
 * screenshot: proof the site works with no network.
 */
export async function checkSite(
  root: string,
  pages: string[],
  screenshotDir: string,
  options: { executablePath: string; timeoutMs: number },
): Promise<SiteCheck> {
  const site = await serveStatic(root);
  const browser = await chromium.launch({
    executablePath: options.executablePath,
    args: CHROMIUM_ARGS,
    timeout: options.timeoutMs,
  });
  const blocked: string[] = [];
  const checks: PageCheck[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(options.timeoutMs);
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      blocked.push(url.href);
      return route.abort('blockedbyclient');
    });
    let errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (err) => errors.push(String(err)));
    await fs.mkdir(screenshotDir, { recursive: true });
    for (const pagePath of pages) {
      errors = [];
      await page.goto(`${site.url}${pagePath}`, { waitUntil: 'networkidle' });
      // Each chart marks itself drawn (data-drawn) after vega-embed resolves, or failed.
      await page
        .waitForFunction("document.querySelectorAll('.bosun-chart:not([data-drawn])').length === 0")
        .catch((err: unknown) => {
          // What the page said is the useful part of a chart that never drew.
          const said = [...errors, ...blocked.map((u) => `blocked ${u}`)].slice(0, 5).join(' | ');
          throw new Error(
            `${pagePath}: the charts did not draw (${String(err).split('\n')[0]})${said ? `: ${said}` : ''}`,
          );
        });
      const screenshot = path.join(screenshotDir, `${pagePath.replace(/^\//, '') || 'index'}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      checks.push({
        path: pagePath,
        svgElements: await page.locator('.bosun-chart svg').count(),
        consoleErrors: errors,
        screenshot,
      });
    }
  } finally {
    await browser.close();
    await site.close();
  }
  return { pages: checks, blocked };
}

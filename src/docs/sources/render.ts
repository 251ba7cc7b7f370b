import { constants, promises as fs } from 'node:fs';
import { BosunError } from '../../core/index.js';
import { USER_AGENT } from './http.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Nothing a page's text depends on: skipped to keep rendering light and polite. */
const SKIPPED_RESOURCES = new Set(['image', 'media', 'font', 'stylesheet']);

export interface Renderer {
  /** The DOM after the page's scripts ran, as HTML; `html` is the document already fetched, served to the browser as is. */
  render(url: URL, html: string): Promise<string>;
  close(): Promise<void>;
}

/** Debian's Chromium through playwright-core; never a downloaded browser. */
export async function openRenderer(timeoutMs = 30_000): Promise<Renderer> {
  try {
    await fs.access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new BosunError('TOOL_MISSING', `rendering needs Chromium at ${CHROMIUM_PATH}, which is missing`, {
      hint: 'apt-get install -y chromium',
    });
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ userAgent: USER_AGENT, javaScriptEnabled: true });
  return {
    async render(url, html) {
      const page = await context.newPage();
      try {
        await page.route('**/*', async (route) => {
          const request = route.request();
          if (request.isNavigationRequest() && request.url() === url.href) {
            await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
          } else if (SKIPPED_RESOURCES.has(request.resourceType())) {
            await route.abort();
          } else {
            await route.continue();
          }
        });
        await page.goto(url.href, { waitUntil: 'networkidle', timeout: timeoutMs });
        return await page.content();
      } finally {
        await page.close();
      }
    },
    close: () => browser.close(),
  };
}

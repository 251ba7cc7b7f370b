import robotsParserModule from 'robots-parser';
import type { HttpClient } from './http.js';
import { USER_AGENT } from './http.js';

// The package's typings declare an ES default export, but it is CommonJS: the default import is the function.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;
const AGENT = USER_AGENT.split('/')[0] as string;

export interface RobotsRules {
  isAllowed(u: URL): boolean;
  /** Seconds between requests asked by the site, if any. */
  crawlDelay: number | undefined;
  sitemaps: string[];
  /** Why robots.txt could not be fetched at all (refused, DNS, TLS, timeout): the site is unreachable. */
  unreachable?: string;
}

const allowAll: RobotsRules = { isAllowed: () => true, crawlDelay: undefined, sitemaps: [] };
const disallowAll: RobotsRules = { isAllowed: () => false, crawlDelay: undefined, sitemaps: [] };

/** robots.txt per origin, fetched once (RFC 9309: a 4xx means no rules, an unreachable file means keep out). */
export class RobotsCache {
  private readonly byOrigin = new Map<string, Promise<RobotsRules>>();
  constructor(private readonly http: HttpClient) {}

  rules(origin: string): Promise<RobotsRules> {
    let rules = this.byOrigin.get(origin);
    if (!rules) this.byOrigin.set(origin, (rules = this.load(origin)));
    return rules;
  }

  private async load(origin: string): Promise<RobotsRules> {
    const url = new URL('/robots.txt', origin);
    const res = await this.http.get(url, { accept: 'text/plain' });
    if (res.body) {
      const robots = robotsParser(url.href, res.body.toString('utf8'));
      return {
        isAllowed: (u) => robots.isAllowed(u.href, AGENT) !== false,
        crawlDelay: robots.getCrawlDelay(AGENT),
        sitemaps: robots.getSitemaps(),
      };
    }
    if (res.status === 0) return { ...disallowAll, unreachable: res.error ?? 'network error' };
    return res.status >= 400 && res.status < 500 ? allowAll : disallowAll;
  }
}

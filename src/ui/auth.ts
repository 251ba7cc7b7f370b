import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'bosun_ui';
export const CSRF_HEADER = 'x-bosun-csrf';

const secret = () => randomBytes(24).toString('base64url');

function same(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * The dashboard's credentials: a one-time token in the URL `bosun ui` prints, exchanged on the
 * first visit for an HttpOnly, SameSite=Strict session cookie; and a CSRF token every POST must
 * repeat in a header (a cross-site form cannot set one).
 */
export class DashboardAuth {
  private oneTimeToken: string | null = secret();
  private readonly session = secret();
  readonly csrf = secret();

  /** The token for the printed URL (until it is used). */
  get token(): string | null {
    return this.oneTimeToken;
  }

  /** Trades the one-time token for the session cookie's value; null when it is wrong or already used. */
  redeem(token: string | null): string | null {
    if (this.oneTimeToken === null || !same(token ?? undefined, this.oneTimeToken)) return null;
    this.oneTimeToken = null;
    return `${SESSION_COOKIE}=${this.session}; HttpOnly; SameSite=Strict; Path=/`;
  }

  hasSession(req: IncomingMessage): boolean {
    return same(cookie(req, SESSION_COOKIE), this.session);
  }

  hasCsrf(req: IncomingMessage): boolean {
    const header = req.headers[CSRF_HEADER];
    return same(typeof header === 'string' ? header : undefined, this.csrf);
  }
}

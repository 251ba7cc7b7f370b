import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { expandTilde } from './paths.js';
import { readSecretFile } from './secrets.js';

/**
 * What every Bosun HTTP server (MCP, the dashboard) checks before it reads a request: the Host
 * header names this machine (a page whose DNS name was rebound to 127.0.0.1 still sends its own
 * name), a browser's Origin is a loopback or explicitly allowed one, and the bearer token when
 * the request needs one. Hosts and origins are parsed as URLs and compared exactly: never as
 * prefixes (`127.0.0.1.attacker.example` is not loopback).
 */
export interface HttpGuardOptions {
  /** The address the server is bound to; a non-wildcard, non-loopback one is accepted as a Host too. */
  bindHost: string;
  /** Further host names this server answers to (a reverse proxy's name). */
  allowedHosts?: string[];
  /** Origins allowed besides loopback ones, exactly as browsers send them (`https://app.example`). */
  allowedOrigins?: string[];
  token?: string;
}

export interface GuardRefusal {
  status: 401 | 403;
  message: string;
}

export interface HttpGuard {
  /** Host and Origin: null when acceptable. */
  checkOrigin(headers: IncomingHttpHeaders): GuardRefusal | null;
  /** Whether the request carries exactly `Authorization: Bearer <token>` (false when no token is set). */
  hasToken(headers: IncomingHttpHeaders): boolean;
  /** True when a token is configured. */
  tokenSet: boolean;
}

/** The loopback names, as URL parsing spells them. */
export const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** `::1` → `[::1]`, as URL parsing gives the hostname. */
function urlHostname(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host.toLowerCase();
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTNAMES.has(urlHostname(host));
}

/** The hostname of `value` parsed as a URL (`http://` prefixed for a bare Host header), or null. */
function hostnameOf(value: string, bare: boolean): string | null {
  try {
    const url = new URL(bare ? `http://${value}` : value);
    // A Host header is host[:port] and nothing else.
    if (bare && (url.username || url.password || url.pathname !== '/' || url.search || url.hash)) return null;
    return url.hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function createHttpGuard(options: HttpGuardOptions): HttpGuard {
  const hosts = new Set(LOOPBACK_HOSTNAMES);
  if (!WILDCARDS.has(options.bindHost)) hosts.add(urlHostname(options.bindHost));
  for (const h of options.allowedHosts ?? []) hosts.add(urlHostname(h));
  const origins = new Set((options.allowedOrigins ?? []).map((o) => o.replace(/\/$/, '')));
  const wanted = options.token ? Buffer.from(options.token) : null;
  return {
    tokenSet: Boolean(wanted),
    checkOrigin(headers) {
      const host = headers.host;
      const hostname = host ? hostnameOf(host, true) : null;
      if (!hostname || !hosts.has(hostname))
        return { status: 403, message: `host ${host ?? '(none)'} is not this server's (DNS rebinding?)` };
      const origin = headers.origin;
      if (origin === undefined || origins.has(origin)) return null;
      const originHost = hostnameOf(origin, false);
      if (originHost && hosts.has(originHost)) return null;
      return { status: 403, message: `origin ${origin} is not allowed` };
    },
    hasToken(headers) {
      if (!wanted) return false;
      const match = /^Bearer ([^\s]+)$/.exec(headers.authorization ?? '');
      const given = Buffer.from(match?.[1] ?? '');
      return given.length === wanted.length && crypto.timingSafeEqual(given, wanted);
    },
  };
}

/**
 * The bearer token of Bosun's HTTP servers: `mcp.token` (set it with BOSUN_MCP_TOKEN rather than
 * in a file) or the first line of a 0600 file (`--token-file`, else `mcp.tokenFile`). Never a
 * command-line value: those show in `ps`.
 */
export function httpToken(mcp: { token?: string | undefined; tokenFile?: string | undefined }, tokenFile?: string) {
  const file = tokenFile ?? mcp.tokenFile;
  if (file) return readSecretFile(expandTilde(file), 'the token file');
  return mcp.token;
}

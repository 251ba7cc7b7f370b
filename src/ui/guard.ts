import type { IncomingMessage } from 'node:http';

/** Host names a loopback server answers to; anything else is a DNS-rebinding attempt or a foreign page. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `Host: 127.0.0.1:4848` → true only for a loopback name with exactly our port. */
function isOurHost(value: string | undefined, port: number): boolean {
  if (!value) return false;
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return false;
  }
  return LOOPBACK_HOSTS.has(url.hostname) && Number(url.port || 80) === port && !url.username && url.pathname === '/';
}

function isOurOrigin(value: string, port: number): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && isOurHost(url.host, port);
}

/**
 * Why a request must be refused before it reaches any handler, or null: the Host must name this
 * loopback server exactly (parsed, not prefix-matched), and an Origin, when the browser sends
 * one, must be this server too.
 */
export function refusalOf(req: IncomingMessage, port: number): string | null {
  if (!isOurHost(req.headers.host, port)) return `foreign Host header: ${req.headers.host ?? '(none)'}`;
  const origin = req.headers.origin;
  if (origin !== undefined && !isOurOrigin(origin, port)) return `foreign Origin: ${origin}`;
  return null;
}

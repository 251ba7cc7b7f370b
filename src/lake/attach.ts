import { BosunError } from '../core/index.js';
import { quoteLiteral } from './sql.js';

/** A libpq connection-string value, quoted when it needs to be. */
function conninfoValue(value: string): string {
  return /^[^\s'\\]+$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The statement that attaches this lake in a DuckDB with the official `ducklake` and `postgres`
 * extensions: the catalog database of `databaseUrl`, schema `ducklake`, and the data path.
 */
export function attachStatement(databaseUrl: string, dataPath: string, alias = 'lake'): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new BosunError('INVALID_INPUT', 'the database URL cannot be parsed');
  }
  const parts: [string, string][] = [
    ['dbname', decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres'],
    ['host', url.hostname || 'localhost'],
    ['port', url.port || '5432'],
  ];
  if (url.username) parts.push(['user', decodeURIComponent(url.username)]);
  if (url.password) parts.push(['password', decodeURIComponent(url.password)]);
  for (const [key, value] of url.searchParams) {
    const existing = parts.findIndex(([k]) => k === key);
    if (existing >= 0) parts.splice(existing, 1);
    parts.push([key, value]);
  }
  const conninfo = parts.map(([k, v]) => `${k}=${conninfoValue(v)}`).join(' ');
  return `ATTACH ${quoteLiteral(`ducklake:postgres:${conninfo}`)} AS ${alias} (METADATA_SCHEMA 'ducklake', DATA_PATH ${quoteLiteral(dataPath)})`;
}

import path from 'node:path';
import { BosunError, type BosunConfig } from '../../../core/index.js';

export type Engine = 'postgres' | 'duckdb';

/** A database a query runs on: Bosun's own (read-only), a configured PostgreSQL, a DuckDB file, or the lake. */
export type Connection =
  | { name: 'bosun'; engine: 'postgres'; own: true }
  | { name: string; engine: 'postgres'; own: false; url: string }
  | { name: string; engine: 'duckdb'; file: string }
  | { name: 'lake'; engine: 'duckdb'; file: null };

/**
 * `${VAR}` in a configured URL reads the environment at use, so secrets stay out of config.yaml:
 * a whole URL as it is, a part of one (a password) URL-encoded.
 */
function expandEnv(name: string, url: string, env: NodeJS.ProcessEnv): string {
  const whole = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(url);
  return url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
    const value = env[variable];
    if (value === undefined || value === '') {
      throw new BosunError(
        'INVALID_CONFIG',
        `connection ${name} needs the environment variable ${variable}, which is not set`,
        {
          hint: `export ${variable}=… in the environment of the worker or command`,
          details: { retryable: false },
        },
      );
    }
    return whole ? value : encodeURIComponent(value);
  });
}

const engineOfUrl = (url: string): Engine | null =>
  /^postgres(ql)?:\/\//.test(url) ? 'postgres' : /^duckdb:/.test(url) ? 'duckdb' : null;

/** The names a query may use, for messages. */
export function connectionNames(config: BosunConfig): string[] {
  return ['bosun', ...Object.keys(config.connections).sort()];
}

/**
 * The connection a query names, or the default: Bosun's own database for PostgreSQL, the lake
 * and the task folder for DuckDB.
 */
export function resolveConnection(
  config: BosunConfig,
  engine: Engine,
  name: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  if (name === undefined || (name === 'bosun' && engine === 'postgres'))
    return engine === 'postgres' ? { name: 'bosun', engine, own: true } : { name: 'lake', engine, file: null };
  const configured = config.connections[name];
  if (!configured || name === 'bosun') {
    throw new BosunError('NOT_FOUND', `no ${engine} connection named '${name}'`, {
      hint: `configured connections: ${connectionNames(config).join(', ')} (add connections.${name}.url to config.yaml)`,
      details: { retryable: false, connections: connectionNames(config) },
    });
  }
  const url = expandEnv(name, configured.url, env);
  const urlEngine = engineOfUrl(url);
  if (urlEngine !== engine) {
    throw new BosunError(
      'INVALID_INPUT',
      `connection ${name} is ${urlEngine ?? 'not a postgres:// or duckdb: URL'}, not ${engine}`,
      { hint: urlEngine ? `use engine: ${urlEngine}` : 'fix its url in config.yaml', details: { retryable: false } },
    );
  }
  if (engine === 'postgres') return { name, engine, own: false, url };
  return { name, engine, file: path.resolve(decodeURIComponent(url.replace(/^duckdb:(\/\/)?/, ''))) };
}

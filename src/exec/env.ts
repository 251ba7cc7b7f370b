/**
 * What a child may see of our environment. By default only what locates programs and sets the
 * locale, so tokens such as BOSUN_DATABASE_URL or API keys never leak into third-party tools.
 */
export const DEFAULT_ENV_ALLOWLIST: readonly string[] = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'USER',
  'LOGNAME',
];

export interface EnvOptions {
  env?: Record<string, string | undefined>;
  envAllowlist?: readonly string[];
  inheritEnv?: boolean;
}

/** The child's environment: allowlisted (or all) variables of ours, then `env` on top; `undefined` removes one. */
export function buildChildEnv(options: EnvOptions, source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  const names = options.inheritEnv ? Object.keys(source) : (options.envAllowlist ?? DEFAULT_ENV_ALLOWLIST);
  for (const name of names) {
    const value = source[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

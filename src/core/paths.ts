import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every place Bosun writes lives under one home folder. */
export interface BosunPaths {
  home: string;
  configFile: string;
  /** Embedded PostgreSQL data directory (may be relocated when running as root; see db/). */
  postgres: string;
  /** Pid files, locks and state files of running parts. */
  run: string;
  lake: string;
  artifacts: string;
  agents: string;
  templates: string;
  workspaces: string;
  logs: string;
  /** Files derived from the lake or the database, rebuilt when missing (the search index per snapshot). */
  cache: string;
}

/** `--home` beats `BOSUN_HOME`, which beats `$XDG_DATA_HOME/bosun` or `~/.local/share/bosun`. */
export function resolveHome(flagHome?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen =
    flagHome ?? env.BOSUN_HOME ?? path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'bosun');
  return path.resolve(expandTilde(chosen));
}

export function expandTilde(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

export function bosunPaths(home: string): BosunPaths {
  return {
    home,
    configFile: path.join(home, 'config.yaml'),
    postgres: path.join(home, 'postgres'),
    run: path.join(home, 'run'),
    lake: path.join(home, 'lake'),
    artifacts: path.join(home, 'artifacts'),
    agents: path.join(home, 'agents'),
    templates: path.join(home, 'templates'),
    workspaces: path.join(home, 'workspaces'),
    logs: path.join(home, 'logs'),
    cache: path.join(home, 'cache'),
  };
}

let cachedRoot: string | undefined;

/**
 * The folder of Bosun's own package.json, found from this module whether it runs from `src/`
 * (tests, tsx) or from `dist/src/` (the built CLI). Built-in manifests, templates and the
 * `bin/` launcher are resolved from here.
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (
      fs.existsSync(candidate) &&
      (JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string }).name === 'bosun'
    ) {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the bosun package root');
    dir = parent;
  }
}

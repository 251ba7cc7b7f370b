import os from 'node:os';
import path from 'node:path';

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
}

/** `--home` beats `BOSUN_HOME`, which beats `$XDG_DATA_HOME/bosun` or `~/.local/share/bosun`. */
export function resolveHome(flagHome?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen =
    flagHome ??
    env.BOSUN_HOME ??
    path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'bosun');
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
  };
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, type RunResult } from '../../src/exec/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bosunBin = path.join(repoRoot, 'bin', 'bosun.js');

export interface CliResult extends RunResult {
  json: any;
}

/** Runs the built CLI (`npm test` builds first) as a real child process. */
export async function runBosun(
  args: string[],
  options: { home?: string; env?: Record<string, string | undefined>; timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  const res = await runCommand(process.execPath, [bosunBin, ...args], {
    env: { BOSUN_HOME: options.home, BOSUN_DATABASE_URL: undefined, BOSUN_LOG_LEVEL: 'warn', ...options.env },
    timeoutMs: options.timeoutMs ?? 120_000,
    cwd: repoRoot,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
  let json: unknown = undefined;
  if (args.includes('--json')) {
    try {
      json = JSON.parse(res.stdout);
    } catch {
      json = undefined;
    }
  }
  return { ...res, json };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../core/index.js';

/**
 * A file input of a built-in agent, resolved inside the task folder (symlinks included): a run
 * never reads the script or spider it executes from anywhere else.
 */
export async function taskFile(
  workDir: string,
  file: string,
  what: string,
  hint = `copy the ${what} into the task folder`,
): Promise<string> {
  const root = await fs.realpath(workDir);
  const resolved = await fs.realpath(path.resolve(workDir, file)).catch(() => null);
  if (!resolved)
    throw new BosunError('INVALID_INPUT', `${what} ${file} does not exist in the task folder ${workDir}`, {
      details: { retryable: false },
    });
  const rel = path.relative(root, resolved);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new BosunError('INVALID_INPUT', `${what} ${file} is outside the task folder ${workDir}`, {
      hint,
      details: { retryable: false },
    });
  }
  return resolved;
}

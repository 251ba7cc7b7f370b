import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError } from '../../core/index.js';

/**
 * A file input resolved inside the task folder (symlinks included): an agent never reads a
 * script, kernel or binary from elsewhere. `what` names it in the error ("script", "kernel").
 */
export async function taskFile(workDir: string, file: string, what: string): Promise<string> {
  const root = await fs.realpath(workDir);
  const resolved = await fs.realpath(path.resolve(workDir, file)).catch(() => null);
  if (!resolved)
    throw new BosunError('INVALID_INPUT', `${what} ${file} does not exist in the task folder ${workDir}`, {
      details: { retryable: false },
    });
  const rel = path.relative(root, resolved);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new BosunError('INVALID_INPUT', `${what} ${file} is outside the task folder ${workDir}`, {
      hint: `copy the ${what} into the task folder, or pass it inline as code`,
      details: { retryable: false },
    });
  }
  return resolved;
}

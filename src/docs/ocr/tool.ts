import path from 'node:path';
import { BosunError } from '../../core/index.js';
import type { RunOptions, RunResult } from '../../exec/index.js';
import type { OcrExec } from './types.js';

/**
 * Runs one OCR tool and turns a failure into an error that names the file and the tool, never
 * the argv: it may carry a PDF password.
 */
export async function runTool(
  exec: OcrExec,
  command: string,
  args: string[],
  file: string,
  options: RunOptions,
): Promise<RunResult> {
  const result = await exec.runCommand(command, args, options);
  if (result.ok) return result;
  const name = path.basename(file);
  if (result.aborted) throw new BosunError('CANCELED', `reading ${name} was cancelled`);
  if (result.timedOut) {
    throw new BosunError('EXEC_TIMEOUT', `${command} took longer than ${options.timeoutMs} ms on ${name}`, {
      hint: 'raise page_timeout_seconds, or lower dpi',
      details: { retryable: false, file },
    });
  }
  const why = result.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 400) || `exit code ${result.exitCode}`;
  throw new BosunError('EXEC_FAILED', `${command} failed on ${name}: ${why}`, {
    details: { retryable: false, file, exitCode: result.exitCode },
  });
}

/** `-upw <password>` for poppler's tools when one is given. */
export const popplerPassword = (password: string | undefined): string[] =>
  password === undefined ? [] : ['-upw', password];

import fs from 'node:fs';
import { BosunError } from './errors.js';

/**
 * Files that hold secrets (config.yaml with a token or an API key, a token file, the embedded
 * server's credentials): written 0600, and refused when group or others can read them, with
 * the command that fixes it.
 */
export const SECRET_FILE_MODE = 0o600;

export function assertPrivateFile(file: string, what: string): void {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return;
  if ((st.mode & 0o077) !== 0) {
    throw new BosunError(
      'INSECURE_FILE',
      `${what} ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}) and holds a secret`,
      { hint: `chmod 600 ${file}`, details: { retryable: false } },
    );
  }
}

/** Writes `content` so that only the owner can read it, also when the file existed with a wider mode. */
export function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode: SECRET_FILE_MODE });
  fs.chmodSync(tmp, SECRET_FILE_MODE);
  fs.renameSync(tmp, file);
}

/** A secret kept in a file of its own (the first line, trimmed), refused unless private. */
export function readSecretFile(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new BosunError('NOT_FOUND', `${what} ${file} does not exist`);
  assertPrivateFile(file, what);
  const secret = fs.readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
  if (!secret) throw new BosunError('INVALID_CONFIG', `${what} ${file} is empty`);
  return secret;
}

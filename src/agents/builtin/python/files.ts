import fs from 'node:fs/promises';
import path from 'node:path';

/** Folders that are never a run's output: interpreter state, caches, Bosun's own. */
const IGNORED_DIRS = new Set(['.venv', '.python', '__pycache__', '.youtube']);
/** A run that writes more files than this reports the first ones only. */
export const MAX_LISTED_FILES = 500;

type Snapshot = Map<string, string>;

/** Relative path → "mtime:size" of every regular file under dir (symlinks are not followed). */
export async function snapshotFiles(dir: string): Promise<Snapshot> {
  const files: Snapshot = new Map();
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && !IGNORED_DIRS.has(e.name)) await walk(child);
      else if (e.isFile()) {
        const stat = await fs.stat(path.join(dir, child)).catch(() => null);
        if (stat) files.set(child, `${stat.mtimeMs}:${stat.size}`);
      }
    }
  };
  await walk('');
  return files;
}

/** Files created or changed between two snapshots, sorted. */
export function changedFiles(before: Snapshot, after: Snapshot): string[] {
  return [...after]
    .filter(([file, sig]) => before.get(file) !== sig)
    .map(([file]) => file)
    .sort();
}

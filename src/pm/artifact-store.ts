import fs from 'node:fs/promises';
import path from 'node:path';
import { artifactFromFile, type Artifact } from '../agents/index.js';
import { BosunError, sha256 } from '../core/index.js';

/**
 * Files a task produced, kept under `$BOSUN_HOME/artifacts/<project>/<task number>/<attempt>/`
 * so they outlive the working folder. A file is hard-linked when it can be (no second copy on
 * disk, and the agents' result cache can still serve the original), else copied. Each file is
 * (and inline content) is checked against its declared size and hash first: a result that lies about its files is
 * rejected before anything is recorded.
 */

/** `out/result.csv` stays a relative path; `../x` or `/etc/x` become a plain file name. */
function safeRelativeName(name: string): string {
  const normal = path.posix.normalize(name.replace(/\\/g, '/'));
  return normal.startsWith('..') || path.posix.isAbsolute(normal) ? path.posix.basename(normal) : normal;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(to), { recursive: true });
  await fs.rm(to, { force: true });
  try {
    await fs.link(from, to);
  } catch {
    await fs.copyFile(from, to);
  }
}

export async function storeArtifacts(
  artifactsDir: string,
  owner: { projectSlug: string; taskNumber: number; attempt: number },
  artifacts: readonly Artifact[],
): Promise<Artifact[]> {
  const dir = path.join(artifactsDir, owner.projectSlug, String(owner.taskNumber), String(owner.attempt));
  const stored: Artifact[] = [];
  for (const a of artifacts) {
    if (a.path === undefined) {
      const inline = a.inline ?? '';
      if (sha256(inline) !== a.sha256 || Buffer.byteLength(inline) !== a.bytes) {
        throw new BosunError(
          'INVALID_INPUT',
          `artifact ${a.name}: its inline content does not match the declared sha256 and bytes`,
        );
      }
      stored.push(a);
      continue;
    }
    const actual = await artifactFromFile(a.path, a.mediaType, a.name).catch((err: unknown) => {
      throw new BosunError('INVALID_INPUT', `artifact ${a.name}: cannot read ${a.path}: ${(err as Error).message}`);
    });
    if (actual.sha256 !== a.sha256 || actual.bytes !== a.bytes) {
      throw new BosunError(
        'INVALID_INPUT',
        `artifact ${a.name}: ${a.path} has ${actual.bytes} bytes and sha256 ${actual.sha256.slice(0, 12)}…, not what the result declares`,
        {
          hint: 'the sha256 and bytes of each artifact must be those of its file',
        },
      );
    }
    const target = path.join(dir, safeRelativeName(a.name));
    await linkOrCopy(path.resolve(a.path), target);
    stored.push({ ...a, path: target });
  }
  return stored;
}

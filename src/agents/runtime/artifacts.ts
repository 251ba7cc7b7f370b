import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256 } from '../../core/index.js';
import { sha256File, type Artifact, type ResultEnvelope } from '../envelope.js';

function inside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * What is wrong with an envelope's artifacts, if anything: a file artifact must lie in the work
 * dir and match its declared size and hash; inline content must match too.
 */
export async function artifactProblems(artifacts: readonly Artifact[], workDir: string): Promise<string[]> {
  const problems: string[] = [];
  const root = await fs.realpath(workDir);
  for (const a of artifacts) {
    if (a.inline !== undefined) {
      const bytes = Buffer.byteLength(a.inline);
      if (bytes !== a.bytes || sha256(a.inline) !== a.sha256)
        problems.push(`artifact ${a.name}: inline content does not match its bytes/sha256`);
      continue;
    }
    const file = path.resolve(workDir, a.path!);
    const real = await fs.realpath(file).catch(() => null);
    if (!real) {
      problems.push(`artifact ${a.name}: ${file} does not exist`);
      continue;
    }
    if (!inside(root, real)) {
      problems.push(`artifact ${a.name}: ${file} is outside the work dir ${workDir}`);
      continue;
    }
    const mismatch = await contentMismatch(a, real);
    if (mismatch) problems.push(`artifact ${a.name}: ${mismatch}`);
  }
  return problems;
}

/** Why a file does not hold what the artifact declares, or null when it does. */
async function contentMismatch(a: Artifact, file: string): Promise<string | null> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat?.isFile()) return `${file} is not a file`;
  if (stat.size !== a.bytes) return `${stat.size} bytes on disk, ${a.bytes} declared`;
  if ((await sha256File(file)) !== a.sha256) return `sha256 differs from the file's`;
  return null;
}

/** `out/result.csv` stays as it is; `../x` or `/etc/x` become a plain file name. */
function safeRelativeName(name: string): string {
  const normal = path.posix.normalize(name.replace(/\\/g, '/'));
  return normal.startsWith('..') || path.posix.isAbsolute(normal) ? path.posix.basename(normal) : normal;
}

/**
 * Brings a cached result's files into this run's work dir (an artifact's name is its path there)
 * and points the envelope at the copies. Null when an original is gone or changed: then the
 * cache entry cannot be served and the skill runs again.
 */
export async function restoreArtifacts(envelope: ResultEnvelope, workDir: string): Promise<ResultEnvelope | null> {
  for (const a of envelope.artifacts) {
    if (a.path !== undefined && (await contentMismatch(a, a.path))) return null;
  }
  const artifacts: Artifact[] = [];
  for (const a of envelope.artifacts) {
    if (a.path === undefined) {
      artifacts.push(a);
      continue;
    }
    const target = path.resolve(workDir, safeRelativeName(a.name));
    if (target !== path.resolve(a.path)) {
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.copyFile(a.path, target);
    }
    artifacts.push({ ...a, path: target });
  }
  return { ...envelope, artifacts };
}

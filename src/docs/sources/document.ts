import path from 'node:path';
import { TextDecoder } from 'node:util';
import picomatch from 'picomatch';
import { sha256 } from '../../core/index.js';
import type { DocFormat, SourceDocument } from './types.js';

const formatsByExtension: Record<string, DocFormat> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'mdx',
  '.html': 'html',
  '.htm': 'html',
  '.txt': 'text',
};

/** The format of a documentation file by its extension; undefined for anything else (images, code…). */
export function formatOfPath(p: string): DocFormat | undefined {
  return formatsByExtension[path.posix.extname(p).toLowerCase()];
}

type Decoded = { content: string } | { error: string };

/**
 * Bytes → text, refusing what is not text: a NUL byte in the first 8 KiB means binary,
 * and invalid sequences in the declared charset (UTF-8 by default) are an error, not U+FFFD noise.
 */
export function decodeText(bytes: Uint8Array, charset = 'utf-8'): Decoded {
  if (bytes.subarray(0, 8192).includes(0)) return { error: 'binary file' };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    return { error: `unsupported charset '${charset}'` };
  }
  try {
    return { content: decoder.decode(bytes) };
  } catch {
    return { error: charset.toLowerCase().replace('_', '-') === 'utf-8' ? 'not valid UTF-8' : `not valid ${charset}` };
  }
}

type DocBase = Omit<SourceDocument, 'content' | 'contentHash' | 'error' | 'notModified'>;

export function pageDoc(base: DocBase, content: string): SourceDocument {
  return { ...base, content, contentHash: sha256(content) };
}

export function errorDoc(base: DocBase, error: string): SourceDocument {
  return { ...base, error };
}

export function tooLarge(size: number, max: number): string {
  return `too large (${size} bytes > ${max})`;
}

/**
 * include/exclude globs. A path is tested as found and, when it carries a version folder,
 * also without it, so that `specification/**` selects that folder in every version.
 */
export function pathFilter(
  include: string[] | undefined,
  exclude: string[] | undefined,
): (...paths: string[]) => boolean {
  const inc = include?.length ? picomatch(include) : undefined;
  const exc = exclude?.length ? picomatch(exclude) : undefined;
  return (...paths) => (!inc || paths.some((p) => inc(p))) && !(exc && paths.some((p) => exc(p)));
}

/** `p`, or `p` with `-2`, `-3`… before its extension when taken; records the result. */
export function uniquePath(p: string, taken: Set<string>): string {
  let candidate = p;
  for (let n = 2; taken.has(candidate); n++) candidate = p.replace(/(\.[^./]+)?$/, `-${n}$1`);
  taken.add(candidate);
  return candidate;
}

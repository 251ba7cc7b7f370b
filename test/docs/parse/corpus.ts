import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentFormat } from '../../../src/docs/parse/index.js';

/** The shared documentation corpora, read in place (never copied into the repository). */
export const corporaRoot =
  process.env.BOSUN_CORPORA ?? path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/corpora');
export const haveCorpora =
  fs.existsSync(path.join(corporaRoot, 'ducklake-docs')) && fs.existsSync(path.join(corporaRoot, 'mcp-docs'));

export interface CorpusFile {
  /** Path relative to the corpora root, e.g. `ducklake-docs/docs/stable/index.md`. */
  path: string;
  format: DocumentFormat;
  content: string;
}

export function corpusFile(relative: string): CorpusFile {
  return {
    path: relative,
    format: relative.endsWith('.mdx') ? 'mdx' : 'markdown',
    content: fs.readFileSync(path.join(corporaRoot, relative), 'utf8'),
  };
}

/** Every markdown and MDX file of both corpora. */
export function corpusFiles(): CorpusFile[] {
  const out: CorpusFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.mdx?$/.test(entry.name)) out.push(corpusFile(path.relative(corporaRoot, full)));
    }
  };
  walk(path.join(corporaRoot, 'ducklake-docs'));
  walk(path.join(corporaRoot, 'mcp-docs'));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
